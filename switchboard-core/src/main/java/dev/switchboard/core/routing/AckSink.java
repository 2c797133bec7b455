package dev.switchboard.core.routing;

/**
 * Where the answers to a message that asked its recipients for an acknowledgement go: one sink per
 * such message per node, shared by all its local recipients. Thread-safe; called from the recipients'
 * event loops.
 */
public interface AckSink {

    /** The id recipients answer to, unique among this node's awaited acknowledgements of the space. */
    long ackId();

    /**
     * A recipient answered.
     *
     * @param response its answer in the publishing protocol's JSON (Socket.IO: the first argument of the
     *                 ack), UTF-8; {@code null} for an answer without arguments
     */
    void acknowledged(byte[] response);

    /**
     * Milliseconds until answers stop being awaited (0 once complete or timed out): a recipient keeps its
     * callback no longer than that.
     */
    long remainingMillis();
}
