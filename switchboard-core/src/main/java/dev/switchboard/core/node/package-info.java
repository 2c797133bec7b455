/**
 * A node: its Pekko actor system, the supervision tree of its long-lived components, and their
 * health.
 *
 * <p>The server starts one {@link dev.switchboard.core.node.SwitchboardNode}, registers each
 * listener, namespace, store or bridge as a {@link dev.switchboard.core.node.Component} with a
 * {@link dev.switchboard.core.node.SupervisionPolicy} ({@code restartWithBackoff()} for those that
 * talk to the outside, {@code stopOnFailure()} for the rest), answers {@code /health/ready} from
 * {@link dev.switchboard.core.node.Health#isReady()} and {@link dev.switchboard.core.node.Health#components()},
 * and closes the node on shutdown.
 */
package dev.switchboard.core.node;
