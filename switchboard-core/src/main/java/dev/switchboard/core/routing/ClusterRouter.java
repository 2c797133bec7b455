package dev.switchboard.core.routing;

import dev.switchboard.core.spi.Backplane;

/** A {@link Router} of one node of a cluster: what its backplane hands over goes to {@link #receiver()}. */
public interface ClusterRouter extends Router {

    /** The backplane this router sends through. */
    Backplane backplane();

    /** Where the backplane delivers frames from the other nodes ({@link Backplane#start}). */
    Backplane.Receiver receiver();

    /** Frames from other nodes that could not be read (dropped and logged). */
    long malformedFrames();
}
