package dev.switchboard.core.routing;

import dev.switchboard.core.spi.Backplane;

/** Factories of {@link Router}s. */
public final class Routers {

    private Routers() {}

    /** An in-process router for one node, with {@link RouterConfig#defaults()}. */
    public static Router local() {
        return local(RouterConfig.defaults());
    }

    /**
     * An in-process router for one node: subscriptions in memory, delivery to local subscribers only
     * ({@link dev.switchboard.core.message.Message#local()} makes no difference here: a clustered router wraps this one and
     * forwards non-local publications through the backplane). Thread-safe; every method may be called
     * from any thread, including event loops (none of them blocks).
     */
    public static Router local(RouterConfig config) {
        return new LocalRouter(config, "local");
    }

    /**
     * The router of a node in a cluster: a local router whose non-local publications, acknowledgements
     * and requests also go to the other nodes through {@code backplane}, and which delivers what other
     * nodes publish. The backplane itself is started and stopped by the node's supervision
     * ({@code SwitchboardNode} does it), handing it {@link ClusterRouter#receiver()}.
     *
     * @param nodeId unique in the cluster
     */
    public static ClusterRouter clustered(RouterConfig config, Backplane backplane, String nodeId) {
        return new NodeRouter(new LocalRouter(config, nodeId), backplane, nodeId);
    }
}
