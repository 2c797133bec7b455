package dev.switchboard.core.bridge;

/**
 * The bridge already has its bound of inbound messages in flight: the message was not published. An
 * expected condition (no stack trace); the source must pause and redeliver the message later.
 */
public final class InboundFullException extends RuntimeException {

    public InboundFullException(String bridge, int capacity) {
        super("bridge " + bridge + ": " + capacity + " inbound messages already in flight", null, false, false);
    }
}
