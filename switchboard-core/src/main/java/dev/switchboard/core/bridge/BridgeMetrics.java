package dev.switchboard.core.bridge;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.IntSupplier;

/**
 * What the bridges count, per bridge. Implementations are thread-safe and cheap (called once per message).
 * {@link #micrometer} registers {@code switchboard.bridge.in} (messages accepted into the fabric),
 * {@code switchboard.bridge.out} (messages confirmed by the external system),
 * {@code switchboard.bridge.failed} (by {@code direction} in/out and {@code reason}: full, timeout,
 * unavailable, error) and the gauge {@code switchboard.bridge.in.flight} (by {@code direction}), each
 * tagged {@code bridge}.
 */
public interface BridgeMetrics {

    void accepted(String bridge);

    void confirmed(String bridge);

    void failed(String bridge, Direction direction, Reason reason);

    /** Registers the in-flight gauges of a bridge; called once when the bridge starts. */
    void inFlight(String bridge, IntSupplier inbound, IntSupplier outbound);

    /** Counts nothing. */
    BridgeMetrics NONE = new BridgeMetrics() {
        @Override
        public void accepted(String bridge) {}

        @Override
        public void confirmed(String bridge) {}

        @Override
        public void failed(String bridge, Direction direction, Reason reason) {}

        @Override
        public void inFlight(String bridge, IntSupplier inbound, IntSupplier outbound) {}
    };

    static BridgeMetrics micrometer(MeterRegistry registry) {
        return new MicrometerBridgeMetrics(registry);
    }

    enum Direction {
        IN, OUT;

        public String tag() {
            return this == IN ? "in" : "out";
        }
    }

    enum Reason {
        /** The bridge's bound of messages in flight was reached. */
        FULL,
        /** The external system did not confirm within the outbound timeout. */
        TIMEOUT,
        /** The bridge was not running (starting, restarting, stopped). */
        UNAVAILABLE,
        /** The external system refused it, the bridge threw, or storing or routing it failed. */
        ERROR;

        public String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
