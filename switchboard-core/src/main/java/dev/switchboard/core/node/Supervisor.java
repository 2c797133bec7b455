package dev.switchboard.core.node;

import dev.switchboard.core.routing.Router;
import java.util.concurrent.CompletionStage;

/**
 * Where long-lived components run: a node's supervision tree and its fabric. The runtime
 * that implements it ({@code dev.switchboard.node.SwitchboardNode} in switchboard-node, on Pekko) is the
 * only module that knows about actors; protocol, store and bridge modules see this interface.
 */
public interface Supervisor {

    NodeConfig config();

    /** The node's routing fabric. */
    Router router();

    /**
     * Starts {@code component} under its own supervisor with {@code policy}. It appears in
     * the node's health at once (STARTING); the start itself is asynchronous, the returned stage
     * completes when the supervisor has been created (not when the component is UP).
     *
     * @param name unique in this node: letters, digits, '.', '-', '_' (e.g. {@code listener-http})
     * @throws IllegalArgumentException if the name is invalid or already registered
     */
    CompletionStage<Void> supervise(String name, Component component, SupervisionPolicy policy);

    /** Stops a component (calling its {@link Component#stop()}) and removes it from the node's health. */
    CompletionStage<Void> stop(String name);
}
