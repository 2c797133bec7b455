package dev.switchboard.engineio;

/**
 * Why a session closed: the reasons the official {@code engine.io} server gives its {@code close}
 * event, with the same strings (socket.io maps them to its own disconnect reasons).
 */
public enum CloseReason {
    /** No pong within pingTimeout after a ping. */
    PING_TIMEOUT("ping timeout"),
    /** The client closed: close packet {@code 1}, a WebSocket close, or the connection went away. */
    TRANSPORT_CLOSE("transport close"),
    /**
     * The transport failed or the client broke the protocol: overlapping GETs, a payload over
     * maxPayload, an invalid heartbeat direction, a slow client over its pending-bytes cap. The detail
     * string says which.
     */
    TRANSPORT_ERROR("transport error"),
    /** A packet could not be decoded. */
    PARSE_ERROR("parse error"),
    /** The server closed it: {@link EngineSocket#close()} or {@link EngineIoServer#close()}. */
    FORCED_CLOSE("forced close");

    private final String text;

    CloseReason(String text) {
        this.text = text;
    }

    /** The official reason string. */
    public String text() {
        return text;
    }

    @Override
    public String toString() {
        return text;
    }
}
