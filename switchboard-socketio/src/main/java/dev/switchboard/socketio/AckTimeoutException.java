package dev.switchboard.socketio;

import java.util.List;

/**
 * An acknowledgement did not arrive in time: message {@code operation has timed out}, as socket.io.
 * For a broadcast, {@link #partialResponses()} holds the answers that did arrive.
 */
public final class AckTimeoutException extends SocketIoException {

    private final transient List<Object> partialResponses;

    public AckTimeoutException(List<Object> partialResponses) {
        super("operation has timed out");
        this.partialResponses = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(partialResponses));
    }

    public List<Object> partialResponses() {
        return partialResponses;
    }
}
