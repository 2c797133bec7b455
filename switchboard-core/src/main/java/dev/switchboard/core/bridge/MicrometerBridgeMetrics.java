package dev.switchboard.core.bridge;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.IntSupplier;

/** {@link BridgeMetrics} on Micrometer; meters are looked up per call (the registry caches them by name and tags). */
final class MicrometerBridgeMetrics implements BridgeMetrics {

    private final MeterRegistry registry;

    MicrometerBridgeMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void accepted(String bridge) {
        Counter.builder("switchboard.bridge.in").description("messages from outside accepted into the fabric")
                .tag("bridge", bridge).register(registry).increment();
    }

    @Override
    public void confirmed(String bridge) {
        Counter.builder("switchboard.bridge.out").description("messages sent out and confirmed by the external system")
                .tag("bridge", bridge).register(registry).increment();
    }

    @Override
    public void failed(String bridge, Direction direction, Reason reason) {
        Counter.builder("switchboard.bridge.failed").description("messages a bridge did not carry, by direction and reason")
                .tag("bridge", bridge).tag("direction", direction.tag()).tag("reason", reason.tag())
                .register(registry).increment();
    }

    @Override
    public void inFlight(String bridge, IntSupplier inbound, IntSupplier outbound) {
        Gauge.builder("switchboard.bridge.in.flight", inbound, IntSupplier::getAsInt)
                .description("messages in flight: inbound not yet accepted, outbound not yet confirmed")
                .tag("bridge", bridge).tag("direction", "in").strongReference(true).register(registry);
        Gauge.builder("switchboard.bridge.in.flight", outbound, IntSupplier::getAsInt)
                .description("messages in flight: inbound not yet accepted, outbound not yet confirmed")
                .tag("bridge", bridge).tag("direction", "out").strongReference(true).register(registry);
    }
}
