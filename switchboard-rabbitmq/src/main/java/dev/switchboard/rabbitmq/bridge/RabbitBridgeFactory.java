package dev.switchboard.rabbitmq.bridge;

import com.typesafe.config.Config;
import dev.switchboard.core.bridge.Bridge;
import dev.switchboard.core.bridge.BridgeFactory;
import dev.switchboard.rabbitmq.RabbitConnector;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Objects;

/**
 * Bridges of type {@value #TYPE} on a node's {@link RabbitConnector}. Found by the server through
 * {@link java.util.ServiceLoader} (so {@code type = rabbitmq} is known to the configuration check), then
 * replaced by an instance bound to the node's connection ({@link #RabbitBridgeFactory(RabbitConnector,
 * MeterRegistry)}): a bridge never opens a connection of its own.
 */
public final class RabbitBridgeFactory implements BridgeFactory {

    public static final String TYPE = "rabbitmq";

    private final RabbitConnector connector;
    private final RabbitBridgeMetrics metrics;

    /** For the service loader: knows the type and checks options, creates nothing. */
    public RabbitBridgeFactory() {
        this.connector = null;
        this.metrics = new RabbitBridgeMetrics(new SimpleMeterRegistry());
    }

    public RabbitBridgeFactory(RabbitConnector connector, MeterRegistry registry) {
        this.connector = Objects.requireNonNull(connector, "connector");
        this.metrics = new RabbitBridgeMetrics(Objects.requireNonNull(registry, "registry"));
    }

    @Override
    public String type() {
        return TYPE;
    }

    /** Checks {@code options} (the message names a wrong one) without creating anything. */
    public static void check(String name, Config options) {
        BridgeOptions.read(name, options);
    }

    @Override
    public Bridge create(String name, Config options) {
        BridgeOptions o = BridgeOptions.read(name, options);
        if (connector == null) {
            throw new IllegalStateException("a rabbitmq bridge needs the node's RabbitMQ connection (switchboard.rabbitmq)");
        }
        return new RabbitBridge(name, o, connector, metrics);
    }
}
