package dev.switchboard.socketio;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.engineio.EngineIoConfig;
import dev.switchboard.socketio.protocol.PacketDecoder;
import dev.switchboard.socketio.protocol.Payloads;
import dev.switchboard.transport.TransportConfig;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Options of a {@link SocketIoServer}, with the official {@code socket.io} 4.8 defaults. Immutable;
 * built by {@link #builder()}, whose setters validate at once.
 *
 * <p>Engine.IO options ({@code pingInterval} 25000, {@code pingTimeout} 20000,
 * {@code maxHttpBufferSize} 1e6 as {@code maxPayload}, {@code transports}, {@code allowUpgrades},
 * {@code path} {@code /socket.io/}) live in {@link #engine()}; the listener ({@code host}, {@code port},
 * {@code cors}) in {@link #transport()}, used only when the server runs its own listener
 * ({@link SocketIoServer#start()}). {@code serveClient} is not supported (always off).
 */
public final class SocketIoConfig {

    /** The official default path. */
    public static final String DEFAULT_PATH = "/socket.io/";

    private final EngineIoConfig engine;
    private final TransportConfig transport;
    private final Duration connectTimeout;
    private final RecoveryConfig recovery;
    private final boolean cleanupEmptyChildNamespaces;
    private final int maxAttachments;
    private final ObjectMapper mapper;
    private final SocketIoMetrics metrics;
    private final HandlerErrorAck handlerErrorAck;
    private final Middleware authenticator;
    private final PacketRateLimit packetRateLimit;

    private SocketIoConfig(Builder b) {
        this.engine = b.engine;
        this.transport = b.transport;
        this.connectTimeout = b.connectTimeout;
        this.recovery = b.recovery;
        this.cleanupEmptyChildNamespaces = b.cleanupEmptyChildNamespaces;
        this.maxAttachments = b.maxAttachments;
        this.mapper = b.mapper;
        this.metrics = b.metrics;
        this.handlerErrorAck = b.handlerErrorAck;
        this.authenticator = b.authenticator;
        this.packetRateLimit = b.packetRateLimit;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static SocketIoConfig defaults() {
        return builder().build();
    }

    /** Engine.IO options; default {@code EngineIoConfig} with path {@value #DEFAULT_PATH}. */
    public EngineIoConfig engine() {
        return engine;
    }

    /** The listener of {@link SocketIoServer#start()}; default {@code TransportConfig.builder().build()}. */
    public TransportConfig transport() {
        return transport;
    }

    /** A connection that joins no namespace within this time is closed; default 45000 ms. */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** Connection state recovery; empty (the default) means off. */
    public Optional<RecoveryConfig> recovery() {
        return Optional.ofNullable(recovery);
    }

    /** Whether a dynamic child namespace is removed when its last socket leaves; default false. */
    public boolean cleanupEmptyChildNamespaces() {
        return cleanupEmptyChildNamespaces;
    }

    /** Most binary attachments accepted in one packet; default 10 (socket.io-parser's default). */
    public int maxAttachments() {
        return maxAttachments;
    }

    /** The Jackson mapper payloads are converted with; default {@link Payloads#defaultMapper()}. */
    public ObjectMapper mapper() {
        return mapper;
    }

    /** Where counts go; default {@link SocketIoMetrics#NONE}. */
    public SocketIoMetrics metrics() {
        return metrics;
    }

    /** What a client that asked for an ack gets when the handler failed; default {@link HandlerErrorAck#DEFAULT}. */
    public HandlerErrorAck handlerErrorAck() {
        return handlerErrorAck;
    }

    /**
     * Middleware run first for every socket of every namespace (dynamic children included), also for a
     * socket restored by connection state recovery when {@link RecoveryConfig#skipMiddlewares()} skips
     * the namespace's own: the one place a server checks who connects. Empty (the default): none.
     */
    public Optional<Middleware> authenticator() {
        return Optional.ofNullable(authenticator);
    }

    /** Events and bytes one connection may send per second; default {@link PacketRateLimit#OFF}. */
    public PacketRateLimit packetRateLimit() {
        return packetRateLimit;
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.engine = engine;
        b.transport = transport;
        b.connectTimeout = connectTimeout;
        b.recovery = recovery;
        b.cleanupEmptyChildNamespaces = cleanupEmptyChildNamespaces;
        b.maxAttachments = maxAttachments;
        b.mapper = mapper;
        b.metrics = metrics;
        b.handlerErrorAck = handlerErrorAck;
        b.authenticator = authenticator;
        b.packetRateLimit = packetRateLimit;
        return b;
    }

    /** Validating builder; {@link #build()} does not change it. */
    public static final class Builder {
        private EngineIoConfig engine = EngineIoConfig.builder().path(DEFAULT_PATH).build();
        private TransportConfig transport = TransportConfig.builder().build();
        private Duration connectTimeout = Duration.ofMillis(45_000);
        private RecoveryConfig recovery;
        private boolean cleanupEmptyChildNamespaces;
        private int maxAttachments = PacketDecoder.DEFAULT_MAX_ATTACHMENTS;
        private ObjectMapper mapper = Payloads.defaultMapper();
        private SocketIoMetrics metrics = SocketIoMetrics.NONE;
        private HandlerErrorAck handlerErrorAck = HandlerErrorAck.DEFAULT;
        private Middleware authenticator;
        private PacketRateLimit packetRateLimit = PacketRateLimit.OFF;

        private Builder() {}

        public Builder engine(EngineIoConfig engine) {
            this.engine = Objects.requireNonNull(engine, "engine");
            return this;
        }

        public Builder transport(TransportConfig transport) {
            this.transport = Objects.requireNonNull(transport, "transport");
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "connectTimeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("connectTimeout must be > 0, was " + timeout);
            }
            this.connectTimeout = timeout;
            return this;
        }

        /** Turns connection state recovery on; {@code null} turns it off. */
        public Builder recovery(RecoveryConfig recovery) {
            this.recovery = recovery;
            return this;
        }

        public Builder cleanupEmptyChildNamespaces(boolean cleanup) {
            this.cleanupEmptyChildNamespaces = cleanup;
            return this;
        }

        public Builder maxAttachments(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxAttachments must be >= 1, was " + max);
            }
            this.maxAttachments = max;
            return this;
        }

        public Builder mapper(ObjectMapper mapper) {
            this.mapper = Objects.requireNonNull(mapper, "mapper");
            return this;
        }

        public Builder metrics(SocketIoMetrics metrics) {
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            return this;
        }

        /** See {@link HandlerErrorAck}; {@link HandlerErrorAck#NONE} answers nothing, as socket.io. */
        public Builder handlerErrorAck(HandlerErrorAck handlerErrorAck) {
            this.handlerErrorAck = Objects.requireNonNull(handlerErrorAck, "handlerErrorAck");
            return this;
        }

        /** See {@link SocketIoConfig#authenticator()}; {@code null} for none. */
        public Builder authenticator(Middleware authenticator) {
            this.authenticator = authenticator;
            return this;
        }

        /** See {@link PacketRateLimit}. */
        public Builder packetRateLimit(PacketRateLimit limit) {
            this.packetRateLimit = Objects.requireNonNull(limit, "packetRateLimit");
            return this;
        }

        public SocketIoConfig build() {
            return new SocketIoConfig(this);
        }
    }
}
