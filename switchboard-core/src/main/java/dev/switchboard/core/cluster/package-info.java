/**
 * Backplanes that carry the fabric between nodes. {@link dev.switchboard.core.cluster.LoopbackHub}: several
 * nodes in one JVM (tests). The router's side of it is {@code Routers.clustered}; the node runs the
 * backplane under its supervision.
 */
package dev.switchboard.core.cluster;
