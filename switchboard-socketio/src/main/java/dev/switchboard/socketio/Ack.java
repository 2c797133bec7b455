package dev.switchboard.socketio;

/**
 * The acknowledgement of one received event. {@link #send} answers the peer's callback with an ACK
 * packet; only the first call sends, later ones are ignored (as in socket.io). When the peer asked
 * for no acknowledgement, {@link #requested()} is false and {@link #send} does nothing.
 */
public interface Ack {

    /** Whether the peer is waiting for an acknowledgement. */
    boolean requested();

    /** Answers with these arguments (any Jackson-serialisable value; {@code byte[]} as binary). Any thread. */
    void send(Object... args);
}
