package dev.switchboard.core.bridge;

import dev.switchboard.core.node.Supervisor;
import java.util.Objects;

/** Runs {@link Bridge}s on a node. */
public final class Bridges {

    /** Header of a client event sent out through a bridge: the sender's socket id. */
    public static final String SOCKET_HEADER = "socket";
    /** Prefix of a bridge's component name in the node's health. */
    public static final String COMPONENT_PREFIX = "bridge-";

    private Bridges() {}

    /**
     * Starts {@code bridge} under the node's supervision as component {@code bridge-<name>} (in
     * {@code node.health()}), subscribes its outbound rules to the node's router, and returns its handle.
     * The start itself is asynchronous: the handle is usable at once, and sends fail with
     * {@link BridgeStoppedException} until the bridge is up.
     *
     * @param storage stores inbound messages of stored rooms before they are routed
     * @param metrics where the bridge's counters go
     * @throws IllegalArgumentException if a component of that name already exists
     */
    public static BridgeHandle start(Supervisor node, BridgeConfig config, Bridge bridge,
                                     InboundStorage storage, BridgeMetrics metrics) {
        Objects.requireNonNull(node, "node");
        BridgeRuntime runtime = new BridgeRuntime(config, Objects.requireNonNull(bridge, "bridge"), node.router(),
                Objects.requireNonNull(storage, "storage"), Objects.requireNonNull(metrics, "metrics"),
                () -> awaitStopped(node, COMPONENT_PREFIX + config.name()));
        node.supervise(runtime.componentName(), runtime, config.supervision());
        runtime.subscribe();
        return runtime;
    }

    private static void awaitStopped(Supervisor node, String component) {
        try {
            node.stop(component).toCompletableFuture().get(node.config().shutdownTimeout().toMillis(),
                    java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // The node is closing (it stops every component itself) or the stop took too long: nothing to add.
        }
    }

    /** The protocol that messages a bridge published inbound carry as their origin: {@code bridge/<name>}. */
    public static String protocol(String bridgeName) {
        return "bridge/" + bridgeName;
    }
}
