package dev.switchboard.socketio;

/**
 * Counts of the Socket.IO layer, for the server's metrics. Called on event loops: implementations must
 * be thread-safe and cheap (a Micrometer counter increment). Every method defaults to doing nothing.
 */
public interface SocketIoMetrics {

    SocketIoMetrics NONE = new SocketIoMetrics() {};

    /** A socket joined {@code namespace} (after its middleware). */
    default void connected(String namespace) {}

    /** A socket left {@code namespace}. */
    default void disconnected(String namespace, DisconnectReason reason) {}

    /** A packet was decoded from a client. */
    default void packetIn(String namespace) {}

    /** A packet was written to one client directly (not counted: broadcasts, which the Router counts). */
    default void packetOut(String namespace) {}

    /**
     * A connection or namespace handshake failed: {@code invalid namespace}, {@code middleware},
     * {@code parse error}, {@code connect timeout}, {@code invalid state}.
     */
    default void handshakeFailed(String reason) {}

    /** An event was dropped ({@code rate limit}) or its connection closed ({@code rate limit close}) by the {@link PacketRateLimit}. */
    default void packetDropped(String reason) {}
}
