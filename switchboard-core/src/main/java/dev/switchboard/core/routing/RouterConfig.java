package dev.switchboard.core.routing;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.Objects;

/**
 * Options of a node's {@link Router}. Immutable; built by {@link #builder()}.
 */
public final class RouterConfig {

    private final ByteBufAllocator allocator;
    private final RoutingMetrics metrics;

    private RouterConfig(Builder b) {
        this.allocator = b.allocator;
        this.metrics = b.metrics;
    }

    /** The defaults: {@link PooledByteBufAllocator#DEFAULT}, no metrics. */
    public static RouterConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The allocator encoders get; default {@link PooledByteBufAllocator#DEFAULT}, not Netty 4.2's
     * {@link ByteBufAllocator#DEFAULT} (adaptive): each subscriber writes a {@code retainedDuplicate()}
     * of the shared frame, which for a pooled buffer is a recycled object on an event-loop thread
     * (0 bytes per subscriber) but for an adaptive buffer a new 40-byte object per subscriber
     * (measured by {@code FanOutBenchmark} in switchboard-bench).
     */
    public ByteBufAllocator allocator() {
        return allocator;
    }

    /** Where counts go; default {@link RoutingMetrics#NONE}. */
    public RoutingMetrics metrics() {
        return metrics;
    }

    public Builder toBuilder() {
        return new Builder().allocator(allocator).metrics(metrics);
    }

    /** Validates each option as it is set; {@link #build()} leaves the builder unchanged. */
    public static final class Builder {
        private ByteBufAllocator allocator = PooledByteBufAllocator.DEFAULT;
        private RoutingMetrics metrics = RoutingMetrics.NONE;

        private Builder() {}

        public Builder allocator(ByteBufAllocator allocator) {
            this.allocator = Objects.requireNonNull(allocator, "allocator");
            return this;
        }

        public Builder metrics(RoutingMetrics metrics) {
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            return this;
        }

        public RouterConfig build() {
            return new RouterConfig(this);
        }
    }
}
