package dev.switchboard.core.node;

/**
 * A component's failure as its runner rethrows it to Pekko, already classified by the component's
 * {@link SupervisionPolicy}: Pekko supervision is declared per exception class, so the class carries
 * the decision. The original failure is the cause. No stack trace of its own: it is a wrapper.
 */
abstract class ComponentFailure extends RuntimeException {

    ComponentFailure(String component, Throwable cause) {
        super("component " + component + " failed: " + cause, cause, false, false);
    }

    /** The policy restarts (with backoff, within its limit). */
    static final class Restartable extends ComponentFailure {
        Restartable(String component, Throwable cause) {
            super(component, cause);
        }
    }

    /** The policy stops the component for good: a programming error, not a condition of the outside. */
    static final class Fatal extends ComponentFailure {
        Fatal(String component, Throwable cause) {
            super(component, cause);
        }
    }
}
