package dev.switchboard.bench.load;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of a {@link LoadGenerator}, immutable; built by a validating {@link Builder}.
 * Targets are restricted to 127.0.0.0/8: load runs never leave this machine.
 */
public final class LoadConfig {

    private final InetAddress host;
    private final int port;
    private final String path;
    private final int sourceAddresses;
    private final int ioThreads;
    private final Duration handshakeTimeout;
    private final Duration maxDuration;
    private final int maxFramePayload;

    private LoadConfig(Builder b) {
        host = b.host;
        port = b.port;
        path = b.path;
        sourceAddresses = b.sourceAddresses;
        ioThreads = b.ioThreads;
        handshakeTimeout = b.handshakeTimeout;
        maxDuration = b.maxDuration;
        maxFramePayload = b.maxFramePayload;
    }

    public static Builder newBuilder() {
        return new Builder();
    }

    /** Server address; default 127.0.0.1. */
    public InetAddress host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** Socket.IO path; default {@code /socket.io/}. */
    public String path() {
        return path;
    }

    /**
     * Source addresses 127.0.0.2, 127.0.0.3, ... used round-robin; each has its own ephemeral port
     * range (about 28k ports with Linux defaults), so N addresses allow about N x 28k connections to
     * one server port. Default 4.
     */
    public int sourceAddresses() {
        return sourceAddresses;
    }

    /** Netty event loop threads of the generator; default 1, leaving the other core to the server. */
    public int ioThreads() {
        return ioThreads;
    }

    /** Bound on TCP connect + WebSocket upgrade + Socket.IO CONNECT; default 10 s. */
    public Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    /**
     * Hard bound on the generator's life: when it passes, every connection is closed and further
     * connects fail, whatever the scenario is doing. Default 5 minutes.
     */
    public Duration maxDuration() {
        return maxDuration;
    }

    /** Largest WebSocket frame accepted from the server; default 1,000,000 bytes (the echo maxPayload). */
    public int maxFramePayload() {
        return maxFramePayload;
    }

    public static final class Builder {
        private InetAddress host;
        private int port = -1;
        private String path = "/socket.io/";
        private int sourceAddresses = 4;
        private int ioThreads = 1;
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private Duration maxDuration = Duration.ofMinutes(5);
        private int maxFramePayload = 1_000_000;

        private Builder() {
            try {
                host = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }

        public Builder host(InetAddress host) {
            Objects.requireNonNull(host, "host");
            byte[] a = host.getAddress();
            if (a.length != 4 || a[0] != 127) {
                throw new IllegalArgumentException("host must be in 127.0.0.0/8 (load stays on this machine), got " + host);
            }
            this.host = host;
            return this;
        }

        public Builder port(int port) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port must be 1..65535, got " + port);
            }
            this.port = port;
            return this;
        }

        public Builder path(String path) {
            if (path == null || !path.startsWith("/") || !path.endsWith("/")) {
                throw new IllegalArgumentException("path must start and end with '/', got " + path);
            }
            this.path = path;
            return this;
        }

        public Builder sourceAddresses(int n) {
            if (n < 1 || n > 250) {
                throw new IllegalArgumentException("sourceAddresses must be 1..250, got " + n);
            }
            this.sourceAddresses = n;
            return this;
        }

        public Builder ioThreads(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("ioThreads must be >= 1, got " + n);
            }
            this.ioThreads = n;
            return this;
        }

        public Builder handshakeTimeout(Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("handshakeTimeout must be positive, got " + d);
            }
            this.handshakeTimeout = d;
            return this;
        }

        public Builder maxDuration(Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("maxDuration must be positive, got " + d);
            }
            this.maxDuration = d;
            return this;
        }

        public Builder maxFramePayload(int bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("maxFramePayload must be >= 1024, got " + bytes);
            }
            this.maxFramePayload = bytes;
            return this;
        }

        public LoadConfig build() {
            if (port < 0) {
                throw new IllegalStateException("port is required");
            }
            return new LoadConfig(this);
        }
    }
}
