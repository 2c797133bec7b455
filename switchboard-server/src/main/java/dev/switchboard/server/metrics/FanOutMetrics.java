package dev.switchboard.server.metrics;

import dev.switchboard.core.routing.RoutingMetrics;
import dev.switchboard.core.routing.WireFormat;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The routing fabric's counters ({@link RoutingMetrics#micrometer}) plus the distribution of fan-out
 * sizes: how many local subscribers each publication was handed to ({@code switchboard_routing_fanout},
 * a Prometheus histogram). Called once per publication on the publishing thread: one counter update and
 * one histogram record, no allocation.
 */
public final class FanOutMetrics implements RoutingMetrics {

    private final RoutingMetrics counters;
    private final DistributionSummary fanOut;

    public FanOutMetrics(MeterRegistry registry) {
        this.counters = RoutingMetrics.micrometer(registry);
        this.fanOut = DistributionSummary.builder("switchboard.routing.fanout")
                .description("local subscribers a publication was handed to")
                .baseUnit("subscribers")
                .publishPercentileHistogram()
                .minimumExpectedValue(1.0)
                .maximumExpectedValue(1_000_000.0)
                .register(registry);
    }

    @Override
    public void published(String space, int subscribers, int encodings) {
        counters.published(space, subscribers, encodings);
        fanOut.record(subscribers);
    }

    @Override
    public void delivered(int written, int droppedVolatile, int rejected) {
        counters.delivered(written, droppedVolatile, rejected);
    }

    @Override
    public void unrenderable(WireFormat format, int subscribers) {
        counters.unrenderable(format, subscribers);
    }
}
