package dev.switchboard.core.routing;

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
        return new LocalRouter(config);
    }
}
