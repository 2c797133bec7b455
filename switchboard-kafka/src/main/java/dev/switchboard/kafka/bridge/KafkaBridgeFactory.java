package dev.switchboard.kafka.bridge;

import com.typesafe.config.Config;
import dev.switchboard.core.bridge.Bridge;
import dev.switchboard.core.bridge.BridgeFactory;
import dev.switchboard.core.node.SupervisionPolicy;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;

/**
 * Bridges of type {@code kafka}: topics into rooms (inbound rules), client events into topics (outbound
 * rules). Found by {@link java.util.ServiceLoader}; configured under {@code switchboard.bridges[].options}.
 */
public final class KafkaBridgeFactory implements BridgeFactory {

    /** Brokers may be away for long: keep reconnecting (every 10 s at most) rather than give up. */
    private static final SupervisionPolicy RECONNECT = SupervisionPolicy.builder()
            .maxRestarts(Integer.MAX_VALUE).backoff(Duration.ofMillis(500), Duration.ofSeconds(10)).build();

    @Override
    public String type() {
        return "kafka";
    }

    @Override
    public Bridge create(String name, Config options) {
        return create(name, options, new SimpleMeterRegistry());
    }

    @Override
    public Bridge create(String name, Config options, MeterRegistry registry) {
        return new KafkaBridge(name, KafkaBridgeOptions.read(name, options), registry);
    }

    @Override
    public SupervisionPolicy supervision() {
        return RECONNECT;
    }
}
