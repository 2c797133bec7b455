package dev.switchboard.node;

import dev.switchboard.core.node.SupervisionPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A component's failure as its runner rethrows it to Pekko, already classified by the component's
 * {@link SupervisionPolicy}: Pekko supervision is declared per exception class, so the class carries
 * the decision. The original failure is the cause. No stack trace of its own: it is a wrapper.
 */
abstract class ComponentFailure extends RuntimeException {

    private static final Logger log = LoggerFactory.getLogger(ComponentFailure.class);

    ComponentFailure(String component, Throwable cause) {
        super("component " + component + " failed: " + cause, cause, false, false);
    }

    /**
     * Applies {@code policy} to a failure of component {@code name}: records it in {@code health},
     * logs it once, and returns the exception to rethrow to Pekko. Called on the component's actor.
     */
    static ComponentFailure classify(String name, Throwable cause, SupervisionPolicy policy, Health health) {
        if (cause instanceof ComponentFailure already) {
            return already;
        }
        if (policy.isFatal(cause)) {
            log.error("component {} failed with a programming error; stopping it for good", name, cause);
            // Pekko's stop strategy ends the actor as a normal stop, so the cause is recorded here.
            health.failed(name, cause);
            return new Fatal(name, cause);
        }
        health.recovering(name, cause);
        log.warn("component {} failed: {}; restarting with backoff unless past its limit of {} restarts",
                name, cause.toString(), policy.maxRestarts());
        return new Restartable(name, cause);
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
