package dev.switchboard.core.node;

/** What a running {@link Component} may use to talk to its supervisor. Thread-safe. */
public interface ComponentContext {

    /** The component's name, as registered. */
    String name();

    /** Which start this is: 1 for the first, then one more per restart. */
    int incarnation();

    /**
     * Reports that this incarnation failed; its supervisor applies the policy (stop it, then restart
     * with backoff or stop for good). Callable from any thread; a report from an incarnation that has
     * already been replaced is ignored, so a late callback of a closed resource cannot fail its
     * successor.
     */
    void fail(Throwable cause);
}
