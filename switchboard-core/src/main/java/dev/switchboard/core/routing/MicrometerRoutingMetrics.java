package dev.switchboard.core.routing;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** {@link RoutingMetrics} as Micrometer counters; counters are resolved once, increments allocate nothing. */
final class MicrometerRoutingMetrics implements RoutingMetrics {

    private final Counter publications;
    private final Counter encodings;
    private final Counter written;
    private final Counter droppedVolatile;
    private final Counter rejected;
    private final Counter unrenderable;

    MicrometerRoutingMetrics(MeterRegistry registry) {
        publications = Counter.builder("switchboard.routing.publications")
                .description("publications resolved by the routing fabric").register(registry);
        encodings = Counter.builder("switchboard.routing.encodings")
                .description("encodings made (one per wire format per publication)").register(registry);
        written = deliveries(registry, "written");
        droppedVolatile = deliveries(registry, "dropped_volatile");
        rejected = deliveries(registry, "rejected");
        unrenderable = deliveries(registry, "unrenderable");
    }

    private static Counter deliveries(MeterRegistry registry, String outcome) {
        return Counter.builder("switchboard.routing.deliveries")
                .description("deliveries to subscribers by outcome")
                .tag("outcome", outcome)
                .register(registry);
    }

    @Override
    public void published(String space, int subscribers, int encodingCount) {
        publications.increment();
        if (encodingCount > 0) {
            encodings.increment(encodingCount);
        }
    }

    @Override
    public void delivered(int w, int d, int r) {
        if (w > 0) {
            written.increment(w);
        }
        if (d > 0) {
            droppedVolatile.increment(d);
        }
        if (r > 0) {
            rejected.increment(r);
        }
    }

    @Override
    public void unrenderable(WireFormat format, int subscribers) {
        unrenderable.increment(subscribers);
    }
}
