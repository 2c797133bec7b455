package dev.switchboard.core.node;

/**
 * A long-lived part of a node (a listener, a namespace, a store, a bridge, a backplane) that runs
 * under the node's supervision tree: started by its supervisor, restarted with backoff or stopped
 * for good when it fails, according to its {@link SupervisionPolicy}, and reported in {@link Health}.
 *
 * <p>Threading: {@link #start} and {@link #stop} are called by the component's own actor, one at a
 * time, on Pekko's blocking-I/O dispatcher (so binding a port or opening a file there is fine).
 * Each restart calls {@code stop()} on the failed incarnation, then {@code start} again.
 */
public interface Component {

    /**
     * Acquires the component's resources. Throwing counts as a failure (see {@link SupervisionPolicy}).
     * A failure that happens later, on another thread (a listener's channel closing unexpectedly, a
     * lost connection), is reported with {@link ComponentContext#fail}.
     */
    void start(ComponentContext context) throws Exception;

    /**
     * Releases what {@link #start} acquired; called after a failure (before a restart), when the
     * component is stopped and when the node closes. Must tolerate a partial start. An exception is
     * logged and otherwise ignored.
     */
    void stop() throws Exception;
}
