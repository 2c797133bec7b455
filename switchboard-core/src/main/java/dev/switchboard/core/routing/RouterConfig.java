package dev.switchboard.core.routing;

import io.netty.buffer.ByteBufAllocator;
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

    /** The defaults: {@link ByteBufAllocator#DEFAULT} (pooled), no metrics. */
    public static RouterConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The allocator encoders get; default {@link ByteBufAllocator#DEFAULT}. */
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
        private ByteBufAllocator allocator = ByteBufAllocator.DEFAULT;
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
