package dev.switchboard.core.inbox;

import java.time.Duration;
import java.util.Objects;

/** How the inbox service delivers: immutable, built by a validating builder. */
public final class InboxConfig {

    /** Which connections of a recipient get a message. */
    public enum Fanout {
        /** One connection, round robin: each message is processed once (a work queue). */
        ONE,
        /** Every connection; the first ack removes it (a user's devices all show it). */
        ALL
    }

    private final Duration ackTimeout;
    private final Duration leaseMargin;
    private final int maxInFlight;
    private final Fanout fanout;
    private final boolean redeliverOnDisconnect;

    private InboxConfig(Builder b) {
        this.ackTimeout = b.ackTimeout;
        this.leaseMargin = b.leaseMargin;
        this.maxInFlight = b.maxInFlight;
        this.fanout = b.fanout;
        this.redeliverOnDisconnect = b.redeliverOnDisconnect;
    }

    public static Builder newBuilder() {
        return new Builder();
    }

    public Duration ackTimeout() { return ackTimeout; }
    public Duration leaseMargin() { return leaseMargin; }
    public int maxInFlight() { return maxInFlight; }
    public Fanout fanout() { return fanout; }
    public boolean redeliverOnDisconnect() { return redeliverOnDisconnect; }

    public static final class Builder {
        private Duration ackTimeout = Duration.ofSeconds(30);
        private Duration leaseMargin = Duration.ofSeconds(5);
        private int maxInFlight = 32;
        private Fanout fanout = Fanout.ALL;
        private boolean redeliverOnDisconnect = true;

        private Builder() {}

        /**
         * How long a client has to ack a delivery before it is released for redelivery (counting an
         * attempt towards the store's delivery limit). Default 30 s; 10 ms..1 h.
         */
        public Builder ackTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "ackTimeout");
            if (timeout.compareTo(Duration.ofMillis(10)) < 0 || timeout.compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException("ackTimeout must be within 10ms..1h, got " + timeout);
            }
            this.ackTimeout = timeout;
            return this;
        }

        /**
         * How much longer than the ack timeout the store's lease lasts. The service releases a delivery
         * itself at the ack timeout; the longer store lease is only the safety net, and the margin keeps
         * the store from making a message deliverable again while the service still counts it in
         * flight. Default 5 s; 0..1 min.
         */
        public Builder leaseMargin(Duration margin) {
            Objects.requireNonNull(margin, "leaseMargin");
            if (margin.isNegative() || margin.compareTo(Duration.ofMinutes(1)) > 0) {
                throw new IllegalArgumentException("leaseMargin must be within 0..1min, got " + margin);
            }
            this.leaseMargin = margin;
            return this;
        }

        /**
         * Unacked deliveries per recipient (RabbitMQ's prefetch): bounds what a slow client holds.
         * Default 32; 1..10 000.
         */
        public Builder maxInFlight(int max) {
            if (max < 1 || max > 10_000) {
                throw new IllegalArgumentException("maxInFlight must be within 1..10000, got " + max);
            }
            this.maxInFlight = max;
            return this;
        }

        /** Default {@link Fanout#ALL}. */
        public Builder fanout(Fanout fanout) {
            this.fanout = Objects.requireNonNull(fanout, "fanout");
            return this;
        }

        /**
         * When a recipient's last connection goes, release its unacked deliveries at once so that they
         * are redelivered on reconnect (true, default), or leave them to the ack timeout (false).
         */
        public Builder redeliverOnDisconnect(boolean redeliver) {
            this.redeliverOnDisconnect = redeliver;
            return this;
        }

        public InboxConfig build() {
            return new InboxConfig(this);
        }
    }
}
