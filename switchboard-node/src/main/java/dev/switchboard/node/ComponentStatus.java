package dev.switchboard.node;

import java.time.Instant;
import java.util.Objects;

/**
 * The health of one supervised component at one moment.
 *
 * @param name      the component's registered name
 * @param state     where it is in its life
 * @param failures  failures since it was registered (restarts plus a final failure)
 * @param lastError the last failure, as {@code Class: message}; null if it never failed
 * @param since     when it entered {@code state}
 */
public record ComponentStatus(String name, State state, int failures, String lastError, Instant since) {

    public ComponentStatus {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(since, "since");
    }

    /** The life of a component: STARTING, UP, then RECOVERING/STARTING/UP on failures, FAILED at the end. */
    public enum State {
        /** Being started (first start or a restart after backoff). */
        STARTING,
        /** Started and serving. */
        UP,
        /** Failed; stopped and waiting for its supervisor to restart it after a backoff. */
        RECOVERING,
        /** Failed past its policy's limit, or with an error the policy stops on: will not come back. */
        FAILED
    }
}
