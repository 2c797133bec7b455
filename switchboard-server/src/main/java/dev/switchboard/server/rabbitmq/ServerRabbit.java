package dev.switchboard.server.rabbitmq;

import dev.switchboard.core.bridge.BridgeFactory;
import dev.switchboard.core.node.SupervisionPolicy;
import dev.switchboard.core.node.Supervisor;
import dev.switchboard.rabbitmq.RabbitConnector;
import dev.switchboard.rabbitmq.bridge.RabbitBridgeFactory;
import dev.switchboard.rabbitmq.inbox.RabbitQueueStore;
import dev.switchboard.server.bridge.BridgeSettings;
import dev.switchboard.server.config.ServerConfig;
import dev.switchboard.server.storage.StoragePlane;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;

/**
 * RabbitMQ in the server: the node's one connection (component {@value RabbitConnector#NAME}), the bridges
 * of type {@code rabbitmq} bound to it, and the inbox queues on it when {@code switchboard.inbox.store =
 * rabbitmq}. Exists only when something uses RabbitMQ.
 *
 * <p>Lifecycle: created before the node (it owns nothing running yet), supervised once the node is up,
 * closed after the node stopped (the node stops the bridges and the component; this closes the inbox
 * store's channel and then the connection).
 */
public final class ServerRabbit implements AutoCloseable {

    /** The broker may be away for long: keep reconnecting (every 5 s at most) instead of giving up. */
    static final SupervisionPolicy RECONNECT = SupervisionPolicy.builder()
            .maxRestarts(Integer.MAX_VALUE).backoff(Duration.ofMillis(500), Duration.ofSeconds(5)).build();

    private final RabbitConnector connector;
    private final RabbitQueueStore queues;
    private final RabbitBridgeFactory bridges;

    private ServerRabbit(RabbitConnector connector, RabbitQueueStore queues, RabbitBridgeFactory bridges) {
        this.connector = connector;
        this.queues = queues;
        this.bridges = bridges;
    }

    /** Null when neither a bridge nor the inboxes use RabbitMQ. */
    public static ServerRabbit create(ServerConfig config, MeterRegistry registry) {
        boolean bridged = config.bridges().bridges().stream()
                .anyMatch(b -> RabbitBridgeFactory.TYPE.equals(b.factory().type()));
        RabbitSettings s = config.rabbitmq();
        boolean inboxes = s.inboxesOnRabbit() && config.durable().inbox().enabled();
        if (!bridged && !inboxes) {
            return null;
        }
        for (BridgeSettings.Entry e : config.bridges().bridges()) {
            if (RabbitBridgeFactory.TYPE.equals(e.factory().type())) {
                try {
                    RabbitBridgeFactory.check(e.config().name(), e.options());
                } catch (IllegalArgumentException ex) {
                    throw new IllegalArgumentException("bridge " + e.config().name() + ": " + ex.getMessage(), ex);
                }
            }
        }
        RabbitConnector connector = new RabbitConnector(s.connection());
        Gauge.builder("switchboard.rabbitmq.connected", connector, c -> c.isOpen() ? 1 : 0)
                .description("1 while the node's RabbitMQ connection is open").register(registry);
        RabbitQueueStore queues = inboxes
                ? new RabbitQueueStore(connector, s.inboxConfig(config.durable().inbox().maxAttempts())) : null;
        return new ServerRabbit(connector, queues, new RabbitBridgeFactory(connector, registry));
    }

    /** Starts the connection under the node's supervision. */
    public void supervise(Supervisor node) {
        node.supervise(RabbitConnector.NAME, connector, RECONNECT);
    }

    /** {@code plane}, with its inbox queues on RabbitMQ when so configured. */
    public StoragePlane storage(StoragePlane plane) {
        return queues == null ? plane : new RabbitInboxPlane(plane, queues);
    }

    /** The bridge factories bound to this node's connection, by type. */
    public Map<String, BridgeFactory> bridgeFactories() {
        return Map.of(RabbitBridgeFactory.TYPE, bridges);
    }

    @Override
    public void close() {
        if (queues != null) {
            queues.close();
        }
        connector.close();
    }
}
