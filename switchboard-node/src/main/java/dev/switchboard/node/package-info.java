/**
 * A node's runtime: its Pekko actor system, the supervision tree of its long-lived components, and their
 * health.
 *
 * <p>The server starts one {@link dev.switchboard.node.SwitchboardNode}, registers each listener,
 * namespace, store or bridge as a {@link dev.switchboard.core.node.Component} with a
 * {@link dev.switchboard.core.node.SupervisionPolicy}, answers {@code /health/ready} from
 * {@link dev.switchboard.node.Health#isReady()} and {@link dev.switchboard.node.Health#components()},
 * and closes the node on shutdown. Each component runs in its own actor ({@link dev.switchboard.node.ComponentRunner});
 * a component that is itself an actor is wrapped by {@link dev.switchboard.node.SupervisedBehavior}.
 */
package dev.switchboard.node;
