package dev.switchboard.core.node;

import dev.switchboard.core.handler.HandlerConfig;
import dev.switchboard.core.routing.RouterConfig;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Options of a {@link SwitchboardNode}. Immutable; built by {@link #builder()}.
 */
public final class NodeConfig {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]*");

    private final String name;
    private final RouterConfig router;
    private final HandlerConfig handlers;
    private final Duration shutdownTimeout;

    private NodeConfig(Builder b) {
        this.name = b.name;
        this.router = b.router;
        this.handlers = b.handlers;
        this.shutdownTimeout = b.shutdownTimeout;
    }

    public static NodeConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The node's (and its actor system's) name; default {@code switchboard}. */
    public String name() {
        return name;
    }

    public RouterConfig router() {
        return router;
    }

    public HandlerConfig handlers() {
        return handlers;
    }

    /** How long {@link SwitchboardNode#close()} waits for components and actors to stop; default 10 s. */
    public Duration shutdownTimeout() {
        return shutdownTimeout;
    }

    /** Validates each option as it is set; {@link #build()} leaves the builder unchanged. */
    public static final class Builder {
        private String name = "switchboard";
        private RouterConfig router = RouterConfig.defaults();
        private HandlerConfig handlers = HandlerConfig.defaults();
        private Duration shutdownTimeout = Duration.ofSeconds(10);

        private Builder() {}

        /** Letters, digits, '-' and '_', starting with a letter or digit (an actor system name). */
        public Builder name(String name) {
            Objects.requireNonNull(name, "name");
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("node name must match " + NAME + ", was '" + name + "'");
            }
            this.name = name;
            return this;
        }

        public Builder router(RouterConfig router) {
            this.router = Objects.requireNonNull(router, "router");
            return this;
        }

        public Builder handlers(HandlerConfig handlers) {
            this.handlers = Objects.requireNonNull(handlers, "handlers");
            return this;
        }

        public Builder shutdownTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("shutdown timeout must be positive, was " + timeout);
            }
            this.shutdownTimeout = timeout;
            return this;
        }

        public NodeConfig build() {
            return new NodeConfig(this);
        }
    }
}
