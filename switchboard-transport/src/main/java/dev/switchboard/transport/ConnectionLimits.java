package dev.switchboard.transport;

import java.time.Duration;
import java.util.Objects;

/**
 * Bounds that keep a listener alive under abuse: how long a client may take to send a request head and
 * a request body, how many connections one client address and the whole listener may hold. Immutable;
 * built by {@link #builder()}, whose setters validate at once. Zero turns a bound off.
 *
 * <p>Defaults: head 10 s (what reverse proxies use: nginx's {@code client_header_timeout} is 60 s, HAProxy
 * examples {@code timeout http-request 10s}), body 30 s, no limit on connections (the server sets its own).
 */
public final class ConnectionLimits {

    private final Duration requestHeadTimeout;
    private final Duration requestBodyTimeout;
    private final int maxConnections;
    private final int maxConnectionsPerAddress;
    private final boolean exemptLoopback;

    private ConnectionLimits(Builder b) {
        this.requestHeadTimeout = b.requestHeadTimeout;
        this.requestBodyTimeout = b.requestBodyTimeout;
        this.maxConnections = b.maxConnections;
        this.maxConnectionsPerAddress = b.maxConnectionsPerAddress;
        this.exemptLoopback = b.exemptLoopback;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static ConnectionLimits defaults() {
        return builder().build();
    }

    /**
     * Time from a connection's opening (or from the first byte after its previous request) until a whole
     * request head has arrived; a client that does not make it gets {@code 408} and the connection is
     * closed. Bytes arriving slowly do not extend it (unlike the idle timeout). Default 10 s.
     */
    public Duration requestHeadTimeout() {
        return requestHeadTimeout;
    }

    /** Time from a request's head until its whole body has arrived; else {@code 408} and close. Default 30 s. */
    public Duration requestBodyTimeout() {
        return requestBodyTimeout;
    }

    /** Open connections the listener accepts; more are answered {@code 503} and closed. 0 (default): no limit. */
    public int maxConnections() {
        return maxConnections;
    }

    /** Open connections from one client IP address; more are answered {@code 429} and closed. 0 (default): no limit. */
    public int maxConnectionsPerAddress() {
        return maxConnectionsPerAddress;
    }

    /**
     * Whether loopback addresses (127.0.0.0/8, ::1) are exempt from {@link #maxConnectionsPerAddress()}: every
     * client of a reverse proxy on the same machine has the proxy's address. Default false.
     */
    public boolean exemptLoopback() {
        return exemptLoopback;
    }

    public Builder toBuilder() {
        return new Builder().requestHeadTimeout(requestHeadTimeout).requestBodyTimeout(requestBodyTimeout)
                .maxConnections(maxConnections).maxConnectionsPerAddress(maxConnectionsPerAddress)
                .exemptLoopback(exemptLoopback);
    }

    @Override
    public String toString() {
        return "ConnectionLimits{head=" + requestHeadTimeout + ", body=" + requestBodyTimeout + ", maxConnections="
                + maxConnections + ", perAddress=" + maxConnectionsPerAddress + '}';
    }

    /** Validating builder; {@link #build()} does not change it. */
    public static final class Builder {
        private Duration requestHeadTimeout = Duration.ofSeconds(10);
        private Duration requestBodyTimeout = Duration.ofSeconds(30);
        private int maxConnections;
        private int maxConnectionsPerAddress;
        private boolean exemptLoopback;

        private Builder() {}

        public Builder requestHeadTimeout(Duration timeout) {
            this.requestHeadTimeout = nonNegative("requestHeadTimeout", timeout);
            return this;
        }

        public Builder requestBodyTimeout(Duration timeout) {
            this.requestBodyTimeout = nonNegative("requestBodyTimeout", timeout);
            return this;
        }

        public Builder maxConnections(int max) {
            if (max < 0) {
                throw new IllegalArgumentException("maxConnections must be >= 0 (0: no limit), was " + max);
            }
            this.maxConnections = max;
            return this;
        }

        public Builder maxConnectionsPerAddress(int max) {
            if (max < 0) {
                throw new IllegalArgumentException("maxConnectionsPerAddress must be >= 0 (0: no limit), was " + max);
            }
            this.maxConnectionsPerAddress = max;
            return this;
        }

        public Builder exemptLoopback(boolean exempt) {
            this.exemptLoopback = exempt;
            return this;
        }

        private static Duration nonNegative(String name, Duration d) {
            Objects.requireNonNull(d, name);
            if (d.isNegative()) {
                throw new IllegalArgumentException(name + " must be >= 0 (0: off), was " + d);
            }
            return d;
        }

        public ConnectionLimits build() {
            return new ConnectionLimits(this);
        }
    }
}
