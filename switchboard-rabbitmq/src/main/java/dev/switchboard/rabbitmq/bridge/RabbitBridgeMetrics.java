package dev.switchboard.rabbitmq.bridge;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * What a RabbitMQ bridge counts beyond the bridge runtime's own meters: {@code switchboard.rabbitmq.dead.lettered}
 * ({@code bridge}, {@code reason}: no-room, no-event, not-json, too-large, invalid),
 * {@code switchboard.rabbitmq.duplicates} (redeliveries acked without publishing),
 * {@code switchboard.rabbitmq.returned} (outbound publishes the broker returned as unroutable) and
 * {@code switchboard.rabbitmq.unrouted} (outbound messages no route matched). Thread-safe.
 */
final class RabbitBridgeMetrics {

    private final MeterRegistry registry;

    RabbitBridgeMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void deadLettered(String bridge, String reason) {
        Counter.builder("switchboard.rabbitmq.dead.lettered").description("inbound messages that could not be mapped, sent to the dead-letter exchange")
                .tag("bridge", bridge).tag("reason", reason).register(registry).increment();
    }

    void duplicate(String bridge) {
        Counter.builder("switchboard.rabbitmq.duplicates").description("redelivered inbound messages already accepted, acked without publishing")
                .tag("bridge", bridge).register(registry).increment();
    }

    void returned(String bridge) {
        Counter.builder("switchboard.rabbitmq.returned").description("outbound publishes returned by the broker as unroutable")
                .tag("bridge", bridge).register(registry).increment();
    }

    void unrouted(String bridge) {
        Counter.builder("switchboard.rabbitmq.unrouted").description("outbound messages that no outbound route matched")
                .tag("bridge", bridge).register(registry).increment();
    }
}
