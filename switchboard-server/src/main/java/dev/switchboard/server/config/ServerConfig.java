package dev.switchboard.server.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The server's validated, immutable configuration. Built only by {@link ConfigLoader}, which has checked
 * every value; the meaning and default of each option is documented in {@code switchboard-reference.conf}.
 *
 * @param source where the values came from, for the start-up log ("defaults", or the file's path)
 */
public record ServerConfig(
        Path dataDir,
        Http http,
        SocketIo socketIo,
        Api api,
        boolean demoEnabled,
        boolean metricsEnabled,
        Duration shutdownTimeout,
        String source,
        dev.switchboard.server.durable.DurableSettings durable,
        dev.switchboard.server.admin.AdminUiSettings adminUi,
        dev.switchboard.server.logging.LogFormat logFormat,
        dev.switchboard.server.auth.AuthSettings auth,
        dev.switchboard.server.managed.ManagedSettings managed,
        dev.switchboard.server.limits.LimitSettings limits,
        dev.switchboard.server.bridge.BridgeSettings bridges,
        Mqtt mqtt,
        dev.switchboard.server.storage.KafkaSettings kafka,
        dev.switchboard.server.rabbitmq.RabbitSettings rabbitmq,
        Cluster cluster) {

    /** Without {@code switchboard.durable} / {@code switchboard.inbox}: their defaults (no durable rooms). */
    public ServerConfig(Path dataDir, Http http, SocketIo socketIo, Api api, boolean demoEnabled, boolean metricsEnabled,
                        Duration shutdownTimeout, String source) {
        this(dataDir, http, socketIo, api, demoEnabled, metricsEnabled, shutdownTimeout, source,
                dev.switchboard.server.durable.DurableSettings.defaults());
    }

    /** Without {@code switchboard.admin-ui} / {@code switchboard.log} / {@code switchboard.auth} / {@code switchboard.kafka}: admin UI off, text logs, no token verification beyond {@code api.token}, no Kafka brokers. */
    public ServerConfig(Path dataDir, Http http, SocketIo socketIo, Api api, boolean demoEnabled, boolean metricsEnabled,
                        Duration shutdownTimeout, String source, dev.switchboard.server.durable.DurableSettings durable) {
        this(dataDir, http, socketIo, api, demoEnabled, metricsEnabled, shutdownTimeout, source, durable,
                dev.switchboard.server.admin.AdminUiSettings.defaults(), dev.switchboard.server.logging.LogFormat.TEXT,
                api.token().isEmpty() ? dev.switchboard.server.auth.AuthSettings.defaults()
                        : new dev.switchboard.server.auth.AuthSettings(dev.switchboard.server.auth.JwtSettings.off(),
                                java.util.List.of(new dev.switchboard.server.auth.AuthSettings.ApiToken(api.token(),
                                        dev.switchboard.server.auth.AuthSettings.SCOPES)), false),
                dev.switchboard.server.managed.ManagedSettings.none(),
                dev.switchboard.server.limits.LimitSettings.defaults(),
                dev.switchboard.server.bridge.BridgeSettings.none(), Mqtt.OFF,
                dev.switchboard.server.storage.KafkaSettings.defaults(),
                dev.switchboard.server.rabbitmq.RabbitSettings.defaults(), Cluster.OFF);
    }

    /**
     * Membership of a Pekko cluster ({@code switchboard.cluster}): Artery on {@code host:port}, joining
     * through {@code seedNodes} ({@code host:port} each); off = a node alone.
     */
    public record Cluster(boolean enabled, String host, int port, List<String> seedNodes, Duration stableAfter) {
        public static final Cluster OFF = new Cluster(false, "127.0.0.1", 2551, List.of(), Duration.ofSeconds(20));

        public Cluster {
            seedNodes = List.copyOf(seedNodes);
        }
    }

    /**
     * The MQTT gateway: {@code port} empty = off. Its TLS is {@code http.tls}. {@code queueOverflow} is
     * {@code refuse-newest} or {@code drop-oldest}. {@code websocketPath} empty = no MQTT over WebSocket.
     */
    public record Mqtt(java.util.OptionalInt port, String host, String namespace, String event, int maxPacketSize,
                       int receiveMaximum, int maxInflight, int maxQueued, int maxRetained,
                       Duration maxSessionExpiry, String queueOverflow, java.util.Optional<String> websocketPath) {
        public static final Mqtt OFF = new Mqtt(java.util.OptionalInt.empty(), "127.0.0.1", "/", "mqtt", 1048576, 64, 64,
                1000, 100_000, Duration.ofDays(7), "refuse-newest", java.util.Optional.empty());
    }

    public ServerConfig {
        Objects.requireNonNull(adminUi, "adminUi");
        Objects.requireNonNull(logFormat, "logFormat");
        Objects.requireNonNull(durable, "durable");
        Objects.requireNonNull(kafka, "kafka");
        Objects.requireNonNull(rabbitmq, "rabbitmq");
        Objects.requireNonNull(auth, "auth");
        Objects.requireNonNull(managed, "managed");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(bridges, "bridges");
        Objects.requireNonNull(mqtt, "mqtt");
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(socketIo, "socketIo");
        Objects.requireNonNull(api, "api");
        Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
    }

    /** The HTTP listener. {@code port} 0 means "any free port". */
    public record Http(String host, int port, List<String> corsOrigins, long maxRequestBody, Tls tls) {
        public Http {
            corsOrigins = List.copyOf(corsOrigins);
        }
    }

    /** TLS material; both paths are set (and readable) when enabled. */
    public record Tls(boolean enabled, Path certChain, Path privateKey) {}

    /**
     * Socket.IO / Engine.IO options, with socket.io's meaning. {@code recovery} zero means off;
     * thresholds in bytes (engine.io's {@code perMessageDeflate.threshold}, {@code httpCompression.threshold}).
     */
    public record SocketIo(
            String path,
            Duration pingInterval,
            Duration pingTimeout,
            long maxPayload,
            Duration connectTimeout,
            Duration recovery,
            boolean perMessageDeflate,
            int perMessageDeflateThreshold,
            boolean httpCompression,
            int httpCompressionThreshold) {}

    /** The HTTP API; an empty token means no authentication. */
    public record Api(boolean enabled, String token) {
        public boolean tokenRequired() {
            return !token.isEmpty();
        }

        @Override
        public String toString() {
            return "Api[enabled=" + enabled + ", token=" + (token.isEmpty() ? "none" : "***") + "]";
        }
    }
}
