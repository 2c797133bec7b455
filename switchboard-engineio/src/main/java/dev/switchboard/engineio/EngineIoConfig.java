package dev.switchboard.engineio;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Options of an {@link EngineIoServer}, with the official {@code engine.io} 6.x defaults. Immutable;
 * built by {@link #builder()}, whose setters validate at once.
 */
public final class EngineIoConfig {

    private final String path;
    private final Duration pingInterval;
    private final Duration pingTimeout;
    private final int maxPayload;
    private final Duration upgradeTimeout;
    private final Set<TransportKind> transports;
    private final boolean allowUpgrades;
    private final AllowRequest allowRequest;
    private final long maxPendingBytes;
    private final boolean perMessageDeflate;
    private final int perMessageDeflateThreshold;
    private final boolean httpCompression;
    private final int httpCompressionThreshold;

    private EngineIoConfig(Builder b) {
        this.path = b.path;
        this.pingInterval = b.pingInterval;
        this.pingTimeout = b.pingTimeout;
        this.maxPayload = b.maxPayload;
        this.upgradeTimeout = b.upgradeTimeout;
        this.transports = Set.copyOf(b.transports);
        this.allowUpgrades = b.allowUpgrades;
        this.allowRequest = b.allowRequest;
        this.maxPendingBytes = b.maxPendingBytes;
        this.perMessageDeflate = b.perMessageDeflate;
        this.perMessageDeflateThreshold = b.perMessageDeflateThreshold;
        this.httpCompression = b.httpCompression;
        this.httpCompressionThreshold = b.httpCompressionThreshold;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The defaults: {@code builder().build()}. */
    public static EngineIoConfig defaults() {
        return builder().build();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.path = path;
        b.pingInterval = pingInterval;
        b.pingTimeout = pingTimeout;
        b.maxPayload = maxPayload;
        b.upgradeTimeout = upgradeTimeout;
        b.transports = EnumSet.copyOf(transports);
        b.allowUpgrades = allowUpgrades;
        b.allowRequest = allowRequest;
        b.maxPendingBytes = maxPendingBytes;
        b.perMessageDeflate = perMessageDeflate;
        b.perMessageDeflateThreshold = perMessageDeflateThreshold;
        b.httpCompression = httpCompression;
        b.httpCompressionThreshold = httpCompressionThreshold;
        return b;
    }

    /** Mount path, with leading and trailing slash; default {@code /engine.io/} ({@code /socket.io/} under Socket.IO). */
    public String path() {
        return path;
    }

    /** Time between server pings; default 25000 ms. Sent in the open packet. */
    public Duration pingInterval() {
        return pingInterval;
    }

    /** How long to wait for the pong after a ping; default 20000 ms. Sent in the open packet. */
    public Duration pingTimeout() {
        return pingTimeout;
    }

    /**
     * Largest accepted payload, bytes (engine.io's {@code maxHttpBufferSize}); default 1_000_000. A
     * bigger polling POST body is answered 413, a bigger WebSocket message closes the connection (1009);
     * either closes the session. Sent in the open packet.
     */
    public int maxPayload() {
        return maxPayload;
    }

    /** How long an upgrade may take from WebSocket open to the {@code 5} packet; default 10000 ms. */
    public Duration upgradeTimeout() {
        return upgradeTimeout;
    }

    /** Transports accepted; default both. */
    public Set<TransportKind> transports() {
        return transports;
    }

    /** Whether polling sessions may upgrade to WebSocket; default true. */
    public boolean allowUpgrades() {
        return allowUpgrades;
    }

    /** Decides on each handshake; default allows every request. */
    public AllowRequest allowRequest() {
        return allowRequest;
    }

    /**
     * Bytes of packets a session may have waiting to be written (polling packets between GETs,
     * WebSocket frames not yet accepted by the socket); past it the session is closed as a slow client.
     * Default 4 MiB; at least {@link #maxPayload()}. Not part of engine.io, which buffers without bound.
     */
    public long maxPendingBytes() {
        return maxPendingBytes;
    }

    /**
     * Whether a WebSocket may negotiate permessage-deflate (RFC 7692); default false, as engine.io's
     * {@code perMessageDeflate}: compression costs CPU on every message and memory per connection, and
     * pays only for large text. When on, the server answers with {@code server_no_context_takeover},
     * so a broadcast is compressed once and the same bytes go to every such connection.
     */
    public boolean perMessageDeflate() {
        return perMessageDeflate;
    }

    /** Messages (Engine.IO packet bytes) smaller than this go uncompressed; default 1024, as engine.io. */
    public int perMessageDeflateThreshold() {
        return perMessageDeflateThreshold;
    }

    /**
     * Whether polling responses are compressed (gzip or deflate, as the request's
     * {@code Accept-Encoding} allows); default true, as engine.io's {@code httpCompression}.
     */
    public boolean httpCompression() {
        return httpCompression;
    }

    /** Polling responses smaller than this (bytes) go uncompressed; default 1024, as engine.io. */
    public int httpCompressionThreshold() {
        return httpCompressionThreshold;
    }

    @Override
    public String toString() {
        return "EngineIoConfig{path=" + path + ", pingInterval=" + pingInterval.toMillis() + "ms, pingTimeout="
                + pingTimeout.toMillis() + "ms, maxPayload=" + maxPayload + ", upgradeTimeout="
                + upgradeTimeout.toMillis() + "ms, transports=" + transports + ", allowUpgrades=" + allowUpgrades
                + ", maxPendingBytes=" + maxPendingBytes + ", perMessageDeflate=" + perMessageDeflate
                + (perMessageDeflate ? " (threshold " + perMessageDeflateThreshold + ")" : "")
                + ", httpCompression=" + httpCompression
                + (httpCompression ? " (threshold " + httpCompressionThreshold + ")" : "") + '}';
    }

    /**
     * Decides whether a handshake may open a session (engine.io's {@code allowRequest}). Runs on the
     * request's event loop; must not block. A refusal answers HTTP 403 {@code {"code":4,"message":"Forbidden"}}
     * (or the given message).
     */
    @FunctionalInterface
    public interface AllowRequest {

        /** @return {@code null} to allow, or the refusal message (e.g. {@code "Forbidden"}) */
        String check(Handshake handshake);
    }

    /** Validating builder; {@link #build()} does not change it. */
    public static final class Builder {
        private String path = "/engine.io/";
        private Duration pingInterval = Duration.ofMillis(25_000);
        private Duration pingTimeout = Duration.ofMillis(20_000);
        private int maxPayload = 1_000_000;
        private Duration upgradeTimeout = Duration.ofMillis(10_000);
        private Set<TransportKind> transports = EnumSet.allOf(TransportKind.class);
        private boolean allowUpgrades = true;
        private AllowRequest allowRequest = handshake -> null;
        private long maxPendingBytes = 4L * 1024 * 1024;
        private boolean perMessageDeflate = false;
        private int perMessageDeflateThreshold = 1024;
        private boolean httpCompression = true;
        private int httpCompressionThreshold = 1024;

        private Builder() {}

        /** Normalised like engine.io: a trailing slash is added. */
        public Builder path(String path) {
            Objects.requireNonNull(path, "path");
            if (!path.startsWith("/")) {
                throw new IllegalArgumentException("path must start with '/', was '" + path + "'");
            }
            this.path = path.endsWith("/") ? path : path + "/";
            return this;
        }

        public Builder pingInterval(Duration d) {
            this.pingInterval = positive("pingInterval", d);
            return this;
        }

        public Builder pingTimeout(Duration d) {
            this.pingTimeout = positive("pingTimeout", d);
            return this;
        }

        public Builder maxPayload(int bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxPayload must be >= 1 byte, was " + bytes);
            }
            this.maxPayload = bytes;
            return this;
        }

        public Builder upgradeTimeout(Duration d) {
            this.upgradeTimeout = positive("upgradeTimeout", d);
            return this;
        }

        public Builder transports(Set<TransportKind> transports) {
            if (transports.isEmpty()) {
                throw new IllegalArgumentException("at least one transport is needed");
            }
            this.transports = EnumSet.copyOf(transports);
            return this;
        }

        public Builder allowUpgrades(boolean allow) {
            this.allowUpgrades = allow;
            return this;
        }

        public Builder allowRequest(AllowRequest allowRequest) {
            this.allowRequest = Objects.requireNonNull(allowRequest, "allowRequest");
            return this;
        }

        public Builder maxPendingBytes(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxPendingBytes must be >= 1, was " + bytes);
            }
            this.maxPendingBytes = bytes;
            return this;
        }

        public Builder perMessageDeflate(boolean enabled) {
            this.perMessageDeflate = enabled;
            return this;
        }

        public Builder perMessageDeflateThreshold(int bytes) {
            this.perMessageDeflateThreshold = nonNegative("perMessageDeflateThreshold", bytes);
            return this;
        }

        public Builder httpCompression(boolean enabled) {
            this.httpCompression = enabled;
            return this;
        }

        public Builder httpCompressionThreshold(int bytes) {
            this.httpCompressionThreshold = nonNegative("httpCompressionThreshold", bytes);
            return this;
        }

        private static int nonNegative(String name, int bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException(name + " must be >= 0 bytes, was " + bytes);
            }
            return bytes;
        }

        /** @throws IllegalStateException if maxPendingBytes is below maxPayload */
        public EngineIoConfig build() {
            if (maxPendingBytes < maxPayload) {
                throw new IllegalStateException("maxPendingBytes (" + maxPendingBytes
                        + ") must be >= maxPayload (" + maxPayload + ")");
            }
            return new EngineIoConfig(this);
        }

        private static Duration positive(String name, Duration d) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be > 0, was " + d);
            }
            if (d.toMillis() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(name + " must fit in an int of milliseconds, was " + d);
            }
            return d;
        }
    }
}
