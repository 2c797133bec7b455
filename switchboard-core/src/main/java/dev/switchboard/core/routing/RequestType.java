package dev.switchboard.core.routing;

/**
 * What a protocol may ask the other nodes (socket.io-adapter's cluster requests), through
 * {@link Router#request}. Each node answers through the {@link RequestHandler} its protocol registered
 * for the request's space.
 */
public enum RequestType {
    /** Make the matching sockets join rooms. No reply. */
    SOCKETS_JOIN(false),
    /** Make the matching sockets leave rooms. No reply. */
    SOCKETS_LEAVE(false),
    /** Disconnect the matching sockets. No reply. */
    DISCONNECT_SOCKETS(false),
    /** Describe the matching sockets: one reply per node. */
    FETCH_SOCKETS(true),
    /** An event for the other servers' own listeners; one reply per node when an answer is asked. */
    SERVER_SIDE_EMIT(true);

    private final boolean mayReply;

    RequestType(boolean mayReply) {
        this.mayReply = mayReply;
    }

    /** Whether a node can answer this type (a request of another type never waits). */
    public boolean mayReply() {
        return mayReply;
    }
}
