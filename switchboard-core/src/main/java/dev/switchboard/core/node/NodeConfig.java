package dev.switchboard.core.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.switchboard.core.handler.HandlerConfig;
import dev.switchboard.core.routing.RouterConfig;
import dev.switchboard.core.spi.Backplane;
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
    private final Backplane backplane;
    private final String nodeId;
    private final Config pekko;

    private NodeConfig(Builder b) {
        this.pekko = b.pekko;
        this.name = b.name;
        this.router = b.router;
        this.handlers = b.handlers;
        this.shutdownTimeout = b.shutdownTimeout;
        this.backplane = b.backplane;
        this.nodeId = b.nodeId != null ? b.nodeId
                : b.name + "-" + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong() >>> 16);
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

    /**
     * What carries the fabric to the other nodes; default {@link Backplane#NONE} (a node alone). Any
     * other runs supervised as component {@code backplane}.
     */
    public Backplane backplane() {
        return backplane;
    }

    /** This node's id in its cluster; default the name plus a random suffix (unique per start). */
    public String nodeId() {
        return nodeId;
    }

    /**
     * Pekko settings layered over the application's ({@code ConfigFactory.load()}) for this node's actor
     * system: what a cluster module needs (the cluster provider, Artery, seed nodes); default empty.
     */
    public Config pekko() {
        return pekko;
    }

    /** Validates each option as it is set; {@link #build()} leaves the builder unchanged. */
    public static final class Builder {
        private String name = "switchboard";
        private RouterConfig router = RouterConfig.defaults();
        private HandlerConfig handlers = HandlerConfig.defaults();
        private Duration shutdownTimeout = Duration.ofSeconds(10);
        private Backplane backplane = Backplane.NONE;
        private String nodeId;
        private Config pekko = ConfigFactory.empty();

        private Builder() {}

        /** Replaces the extra Pekko settings ({@link NodeConfig#pekko()}). */
        public Builder pekko(Config pekko) {
            this.pekko = Objects.requireNonNull(pekko, "pekko");
            return this;
        }

        public Builder backplane(Backplane backplane) {
            this.backplane = Objects.requireNonNull(backplane, "backplane");
            return this;
        }

        /** Letters, digits, '-', '_' and '.', unique in the cluster. */
        public Builder nodeId(String nodeId) {
            Objects.requireNonNull(nodeId, "nodeId");
            if (!nodeId.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
                throw new IllegalArgumentException("node id must be letters, digits, '-', '_' or '.', was '" + nodeId + "'");
            }
            this.nodeId = nodeId;
            return this;
        }

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
