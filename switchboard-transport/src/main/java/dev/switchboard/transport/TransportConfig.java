package dev.switchboard.transport;

import io.netty.buffer.ByteBufAllocator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of one {@link HttpServer} listener. Immutable; built by {@link #builder()}, whose setters
 * validate at once. Every option is documented with its default.
 */
public final class TransportConfig {

    /** Netty's own default low write watermark, bytes. */
    public static final int DEFAULT_LOW_WATER_MARK = 32 * 1024;
    /** Netty's own default high write watermark, bytes. */
    public static final int DEFAULT_HIGH_WATER_MARK = 64 * 1024;

    private final String host;
    private final int port;
    private final Path tlsCertificate;
    private final Path tlsPrivateKey;
    private final CorsConfig cors;
    private final int maxContentLength;
    private final Duration idleTimeout;
    private final int writeBufferLowWaterMark;
    private final int writeBufferHighWaterMark;
    private final int flushConsolidationLimit;
    private final Duration shutdownTimeout;
    private final int ioThreads;
    private final boolean preferNative;
    private final ByteBufAllocator allocator;
    private final ConnectionLimits limits;

    private TransportConfig(Builder b) {
        this.host = b.host;
        this.port = b.port;
        this.tlsCertificate = b.tlsCertificate;
        this.tlsPrivateKey = b.tlsPrivateKey;
        this.cors = b.cors;
        this.maxContentLength = b.maxContentLength;
        this.idleTimeout = b.idleTimeout;
        this.writeBufferLowWaterMark = b.low;
        this.writeBufferHighWaterMark = b.high;
        this.flushConsolidationLimit = b.flushConsolidationLimit;
        this.shutdownTimeout = b.shutdownTimeout;
        this.ioThreads = b.ioThreads;
        this.preferNative = b.preferNative;
        this.allocator = b.allocator;
        this.limits = b.limits;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this config's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.host = host;
        b.port = port;
        b.tlsCertificate = tlsCertificate;
        b.tlsPrivateKey = tlsPrivateKey;
        b.cors = cors;
        b.maxContentLength = maxContentLength;
        b.idleTimeout = idleTimeout;
        b.low = writeBufferLowWaterMark;
        b.high = writeBufferHighWaterMark;
        b.flushConsolidationLimit = flushConsolidationLimit;
        b.shutdownTimeout = shutdownTimeout;
        b.ioThreads = ioThreads;
        b.preferNative = preferNative;
        b.allocator = allocator;
        b.limits = limits;
        return b;
    }

    /** Address to bind; default {@code 0.0.0.0}. */
    public String host() {
        return host;
    }

    /** TCP port; 0 (the default) binds an ephemeral port, see {@link HttpServer#start()}. */
    public int port() {
        return port;
    }

    /** PEM certificate chain, when TLS is on. */
    public Optional<Path> tlsCertificate() {
        return Optional.ofNullable(tlsCertificate);
    }

    /** PEM PKCS#8 private key, when TLS is on. */
    public Optional<Path> tlsPrivateKey() {
        return Optional.ofNullable(tlsPrivateKey);
    }

    public boolean tlsEnabled() {
        return tlsCertificate != null;
    }

    /** CORS for every route; empty (the default) means no CORS headers and no preflight handling. */
    public Optional<CorsConfig> cors() {
        return Optional.ofNullable(cors);
    }

    /**
     * Largest HTTP request body aggregated, bytes; default 1 MiB. A larger request is answered 413 by
     * the transport (and the connection closed if the body was still coming) before any route sees it.
     * Routes with their own limit (Engine.IO's {@code maxPayload}) check it themselves; keep this at
     * least as large.
     */
    public int maxContentLength() {
        return maxContentLength;
    }

    /**
     * A connection with no read and no write for this long is closed; default 120 s; zero disables.
     * Must exceed the longest silence a protocol allows (Engine.IO: pingInterval + pingTimeout).
     */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** Below this many pending outbound bytes a channel becomes writable again; default 32 KiB. */
    public int writeBufferLowWaterMark() {
        return writeBufferLowWaterMark;
    }

    /** Above this many pending outbound bytes a channel reports not writable; default 64 KiB. */
    public int writeBufferHighWaterMark() {
        return writeBufferHighWaterMark;
    }

    /**
     * Flushes consolidated into one syscall while a read is in progress ({@code FlushConsolidationHandler}
     * explicitFlushAfterFlushes); default 256; zero disables consolidation.
     */
    public int flushConsolidationLimit() {
        return flushConsolidationLimit;
    }

    /** Upper bound of {@link HttpServer#shutdown()}: protocol closes, then forced close; default 10 s. */
    public Duration shutdownTimeout() {
        return shutdownTimeout;
    }

    /** Worker event loops; 0 (default) lets Netty choose (twice the available processors). */
    public int ioThreads() {
        return ioThreads;
    }

    /** Use native epoll when the platform has it; default true. NIO otherwise. */
    public boolean preferNative() {
        return preferNative;
    }

    /** Buffer allocator of every connection; default {@link ByteBufAllocator#DEFAULT} (pooled). */
    public ByteBufAllocator allocator() {
        return allocator;
    }

    /** Request head/body timeouts and connection limits; default {@link ConnectionLimits#defaults()}. */
    public ConnectionLimits limits() {
        return limits;
    }

    @Override
    public String toString() {
        return "TransportConfig{" + host + ':' + port + (tlsEnabled() ? " tls" : "") + ", cors=" + cors
                + ", maxContentLength=" + maxContentLength + ", idleTimeout=" + idleTimeout
                + ", watermarks=" + writeBufferLowWaterMark + '/' + writeBufferHighWaterMark
                + ", flushConsolidation=" + flushConsolidationLimit + ", ioThreads=" + ioThreads + ", " + limits + '}';
    }

    /** Validating builder: each setter refuses a bad value at once; {@link #build()} does not change it. */
    public static final class Builder {
        private String host = "0.0.0.0";
        private int port;
        private Path tlsCertificate;
        private Path tlsPrivateKey;
        private CorsConfig cors;
        private int maxContentLength = 1024 * 1024;
        private Duration idleTimeout = Duration.ofSeconds(120);
        private int low = DEFAULT_LOW_WATER_MARK;
        private int high = DEFAULT_HIGH_WATER_MARK;
        private int flushConsolidationLimit = 256;
        private Duration shutdownTimeout = Duration.ofSeconds(10);
        private int ioThreads;
        private boolean preferNative = true;
        private ByteBufAllocator allocator = ByteBufAllocator.DEFAULT;
        private ConnectionLimits limits = ConnectionLimits.defaults();

        private Builder() {}

        public Builder host(String host) {
            Objects.requireNonNull(host, "host");
            if (host.isBlank()) {
                throw new IllegalArgumentException("host must not be blank");
            }
            this.host = host;
            return this;
        }

        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be in 0..65535, was " + port);
            }
            this.port = port;
            return this;
        }

        /** Turns TLS on with a PEM certificate chain and PEM PKCS#8 private key; both files must exist. */
        public Builder tls(Path certificateChain, Path privateKey) {
            Objects.requireNonNull(certificateChain, "certificateChain");
            Objects.requireNonNull(privateKey, "privateKey");
            if (!Files.isReadable(certificateChain)) {
                throw new IllegalArgumentException("TLS certificate not readable: " + certificateChain);
            }
            if (!Files.isReadable(privateKey)) {
                throw new IllegalArgumentException("TLS private key not readable: " + privateKey);
            }
            this.tlsCertificate = certificateChain;
            this.tlsPrivateKey = privateKey;
            return this;
        }

        /** CORS for every route; {@code null} turns it off. */
        public Builder cors(CorsConfig cors) {
            this.cors = cors;
            return this;
        }

        public Builder maxContentLength(int bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxContentLength must be >= 1 byte, was " + bytes);
            }
            this.maxContentLength = bytes;
            return this;
        }

        public Builder idleTimeout(Duration timeout) {
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("idleTimeout must be >= 0, was " + timeout);
            }
            this.idleTimeout = timeout;
            return this;
        }

        public Builder writeBufferWaterMarks(int low, int high) {
            if (low < 0 || high < low || high == 0) {
                throw new IllegalArgumentException(
                        "write watermarks need 0 <= low <= high and high > 0, were low=" + low + " high=" + high);
            }
            this.low = low;
            this.high = high;
            return this;
        }

        public Builder flushConsolidationLimit(int flushes) {
            if (flushes < 0) {
                throw new IllegalArgumentException("flushConsolidationLimit must be >= 0, was " + flushes);
            }
            this.flushConsolidationLimit = flushes;
            return this;
        }

        public Builder shutdownTimeout(Duration timeout) {
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("shutdownTimeout must be >= 0, was " + timeout);
            }
            this.shutdownTimeout = timeout;
            return this;
        }

        public Builder ioThreads(int threads) {
            if (threads < 0) {
                throw new IllegalArgumentException("ioThreads must be >= 0, was " + threads);
            }
            this.ioThreads = threads;
            return this;
        }

        public Builder preferNative(boolean preferNative) {
            this.preferNative = preferNative;
            return this;
        }

        /** The allocator for every connection (tests pass an instrumented pool). */
        public Builder allocator(ByteBufAllocator allocator) {
            this.allocator = Objects.requireNonNull(allocator, "allocator");
            return this;
        }

        public Builder limits(ConnectionLimits limits) {
            this.limits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        public TransportConfig build() {
            return new TransportConfig(this);
        }
    }
}
