package dev.switchboard.core.bridge;

import dev.switchboard.core.node.SupervisionPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/** Options of one bridge. Immutable; built by {@link #builder(String)}, each option validated when set. */
public final class BridgeConfig {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");
    /** Upper bound of both windows: more in flight only adds memory, not throughput, for one connector. */
    static final int MAX_IN_FLIGHT = 65_536;

    private final String name;
    private final int inboundMaxInFlight;
    private final int outboundMaxInFlight;
    private final Duration outboundTimeout;
    private final List<OutboundRule> rules;
    private final List<EventRoute> events;
    private final SupervisionPolicy supervision;

    private BridgeConfig(Builder b) {
        this.name = b.name;
        this.inboundMaxInFlight = b.inboundMaxInFlight;
        this.outboundMaxInFlight = b.outboundMaxInFlight;
        this.outboundTimeout = b.outboundTimeout;
        this.rules = List.copyOf(b.rules);
        this.events = List.copyOf(b.events);
        this.supervision = b.supervision;
    }

    /** @param name letters, digits, '.', '-', '_'; unique in the node */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    public String name() {
        return name;
    }

    /** Inbound messages published and not yet accepted, at most; default 256. */
    public int inboundMaxInFlight() {
        return inboundMaxInFlight;
    }

    /** Outbound sends not yet confirmed, at most; default 256. */
    public int outboundMaxInFlight() {
        return outboundMaxInFlight;
    }

    /** How long a send may wait for the external system's confirmation; default 10 s. */
    public Duration outboundTimeout() {
        return outboundTimeout;
    }

    /** Fabric messages that leave through the bridge; none by default. */
    public List<OutboundRule> rules() {
        return rules;
    }

    /** Client events routed to the bridge; none by default. */
    public List<EventRoute> events() {
        return events;
    }

    /** How the bridge is supervised; default {@link SupervisionPolicy#restartWithBackoff()}. */
    public SupervisionPolicy supervision() {
        return supervision;
    }

    @Override
    public String toString() {
        return "BridgeConfig[" + name + ", in=" + inboundMaxInFlight + ", out=" + outboundMaxInFlight
                + ", timeout=" + outboundTimeout + ", rules=" + rules + ", events=" + events + "]";
    }

    public static final class Builder {
        private final String name;
        private int inboundMaxInFlight = 256;
        private int outboundMaxInFlight = 256;
        private Duration outboundTimeout = Duration.ofSeconds(10);
        private final List<OutboundRule> rules = new ArrayList<>();
        private final List<EventRoute> events = new ArrayList<>();
        private SupervisionPolicy supervision = SupervisionPolicy.restartWithBackoff();

        private Builder(String name) {
            Objects.requireNonNull(name, "name");
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("bridge name must match " + NAME + ", was '" + name + "'");
            }
            this.name = name;
        }

        public Builder inboundMaxInFlight(int n) {
            this.inboundMaxInFlight = checkWindow("inbound", n);
            return this;
        }

        public Builder outboundMaxInFlight(int n) {
            this.outboundMaxInFlight = checkWindow("outbound", n);
            return this;
        }

        public Builder outboundTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("outbound timeout must be positive, was " + timeout);
            }
            this.outboundTimeout = timeout;
            return this;
        }

        /** Adds an outbound rule: messages to rooms of {@code space} matching {@code roomFilter} leave through the bridge. */
        public Builder rule(String space, String roomFilter) {
            rules.add(new OutboundRule(space, roomFilter));
            return this;
        }

        /** Routes client events named {@code event} in {@code space} to the bridge. */
        public Builder event(String space, String event) {
            EventRoute route = new EventRoute(space, event);
            if (events.contains(route)) {
                throw new IllegalArgumentException("event " + event + " of " + space + " is already routed to bridge " + name);
            }
            events.add(route);
            return this;
        }

        public Builder supervision(SupervisionPolicy policy) {
            this.supervision = Objects.requireNonNull(policy, "supervision");
            return this;
        }

        public BridgeConfig build() {
            return new BridgeConfig(this);
        }

        private static int checkWindow(String side, int n) {
            if (n < 1 || n > MAX_IN_FLIGHT) {
                throw new IllegalArgumentException(side + " max-in-flight must be 1.." + MAX_IN_FLIGHT + ", was " + n);
            }
            return n;
        }
    }
}
