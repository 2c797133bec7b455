package dev.switchboard.mqtt;

import dev.switchboard.core.routing.Router;
import dev.switchboard.transport.TransportConfig;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletionStage;

/**
 * The MQTT 3.1.1 / 5.0 listener. Its connections run on an existing event loop group (the HTTP
 * listener's, so one set of loops serves every protocol) and are subscribers of the fabric's router.
 *
 * <pre>{@code
 * MqttServer mqtt = MqttServer.create(MqttConfig.builder().port(1883).build(), transportConfig,
 *         http.eventLoopGroup(), "epoll".equals(http.transportName()), router, MqttMetrics.NONE);
 * InetSocketAddress bound = mqtt.start().toCompletableFuture().join();
 * }</pre>
 */
public interface MqttServer {

    /**
     * @param transport TLS certificate and key (TLS when set), write watermarks and allocator; its host and
     *                  port are not used (the MQTT config has its own)
     * @param workers   the event loops to serve connections on (not shut down by this server)
     * @param epoll     whether {@code workers} run epoll (else NIO)
     */
    static MqttServer create(MqttConfig config, TransportConfig transport, EventLoopGroup workers, boolean epoll,
            Router router, MqttMetrics metrics) {
        return new NettyMqttServer(config, transport, workers, epoll, router, metrics, null);
    }

    /**
     * As {@link #create(MqttConfig, TransportConfig, EventLoopGroup, boolean, Router, MqttMetrics)}, with
     * persistent sessions and retained messages kept in {@code store} (read back by {@link #start()}, so
     * they outlive a restart). The store is not closed by this server; stop this server first.
     */
    static MqttServer create(MqttConfig config, TransportConfig transport, EventLoopGroup workers, boolean epoll,
            Router router, MqttMetrics metrics, MqttStore store) {
        return new NettyMqttServer(config, transport, workers, epoll, router, metrics, java.util.Objects.requireNonNull(store));
    }

    /**
     * Reads what the store keeps (if there is one), then binds; the stage completes with the bound address
     * (fails if it cannot read or bind). Once.
     */
    CompletionStage<InetSocketAddress> start();

    /** Unbinds and closes every connection (their wills are published); completes when all are closed. */
    CompletionStage<Void> shutdown();

    /**
     * The route serving MQTT over WebSocket (subprotocol {@code mqtt}) on an HTTP listener whose event
     * loops are this server's workers: connections through it are MQTT connections of this server (same
     * sessions, limits, metrics; closed by {@link #shutdown()}).
     */
    dev.switchboard.transport.HttpHandler webSocketRoute();

    /** Whether it is bound and accepting connections. */
    boolean isRunning();

    /** Connected clients (past CONNECT). */
    int connectedClients();

    /** Every session, connected or waiting for its client; a snapshot (see {@link MqttClientInfo}). */
    java.util.List<MqttClientInfo> clients();

    /** Persistent sessions whose client is away. */
    int offlineSessions();

    /** Retained messages held. */
    int retainedCount();
}
