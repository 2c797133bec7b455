package dev.switchboard.core.bridge;

/** The bridge already has its bound of outbound sends unconfirmed: the message was not sent. No stack trace. */
public final class OutboundFullException extends RuntimeException {

    public OutboundFullException(String bridge, int capacity) {
        super("bridge " + bridge + ": " + capacity + " outbound messages already awaiting confirmation", null, false, false);
    }
}
