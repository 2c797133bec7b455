package dev.switchboard.core.routing;

import io.micrometer.core.instrument.MeterRegistry;

/**
 * Hooks the fabric calls to count what it does; the server binds them to its metrics.
 *
 * <p>Threading: {@link #published} runs on the publishing thread, {@link #delivered} on each event
 * loop that delivered part of a publication. Implementations must be thread-safe, cheap and must not
 * throw (an exception is logged and ignored). Calls are aggregated: one call per publication and one
 * per event loop per publication, never one per subscriber.
 */
public interface RoutingMetrics {

    /**
     * A publication was resolved and handed to the event loops.
     *
     * @param space       its space
     * @param subscribers local subscribers it was handed to (0 when nobody matched)
     * @param encodings   wire formats it was encoded for (0 when nobody matched)
     */
    void published(String space, int subscribers, int encodings);

    /**
     * One event loop finished its share of a publication.
     *
     * @param written         subscribers that accepted the message ({@code Delivery.WRITTEN})
     * @param droppedVolatile volatile messages dropped for subscribers that could not take them now
     * @param rejected        subscribers closing, disconnected as slow, failing, or whose event loop
     *                        had shut down
     */
    void delivered(int written, int droppedVolatile, int rejected);

    /**
     * Subscribers skipped because their wire format has no renderer, or its renderer could not render
     * this message; called on the publishing thread, once per such format per publication.
     *
     * @param format      the format that could not be rendered
     * @param subscribers how many of the publication's subscribers use it
     */
    default void unrenderable(WireFormat format, int subscribers) {}

    /** Counts nothing. */
    RoutingMetrics NONE = new RoutingMetrics() {
        @Override
        public void published(String space, int subscribers, int encodings) {}

        @Override
        public void delivered(int written, int droppedVolatile, int rejected) {}
    };

    /**
     * Counters in {@code registry}: {@code switchboard.routing.publications},
     * {@code switchboard.routing.encodings} and {@code switchboard.routing.deliveries} tagged
     * {@code outcome=written|dropped_volatile|rejected|unrenderable}. Not tagged by space: a space name can come from
     * clients (dynamic namespaces), and unbounded tag values would grow the registry without bound.
     */
    static RoutingMetrics micrometer(MeterRegistry registry) {
        return new MicrometerRoutingMetrics(registry);
    }
}
