/**
 * The component model of a node, free of any actor runtime: a long-lived part of the server (listener,
 * store, bridge, backplane) is a {@link dev.switchboard.core.node.Component} started and stopped by a
 * {@link dev.switchboard.core.node.Supervisor} under a {@link dev.switchboard.core.node.SupervisionPolicy}
 * ({@code restartWithBackoff()} for those that talk to the outside, {@code stopOnFailure()} for the rest).
 * {@link dev.switchboard.core.node.NodeConfig} describes the node. The runtime that implements the
 * supervisor on Pekko is switchboard-node ({@code dev.switchboard.node}).
 */
package dev.switchboard.core.node;
