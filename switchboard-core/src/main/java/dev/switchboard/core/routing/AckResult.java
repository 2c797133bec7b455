package dev.switchboard.core.routing;

import java.util.List;

/**
 * The answers to a message that asked its recipients for an acknowledgement.
 *
 * @param expected  recipients it was handed to, on every node that answered in time
 * @param responses each recipient's answer in the publishing protocol's JSON (null entries for answers
 *                  without arguments), in arrival order
 * @param complete  true when every expected recipient answered, on every node expected, before the
 *                  timeout; false when the timeout ended the wait (then {@code responses} holds what came)
 */
public record AckResult(int expected, List<byte[]> responses, boolean complete) {

    public AckResult {
        responses = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(responses));
    }
}
