package dev.switchboard.socketio;

import dev.switchboard.engineio.CloseReason;

/**
 * Why a socket left its namespace: the reasons of the official server ({@code socket.io} 4.8
 * {@code DisconnectReason}), with the same strings.
 */
public enum DisconnectReason {
    /** Engine.IO: the transport failed or broke a rule (including a slow client over its buffer cap). */
    TRANSPORT_ERROR("transport error"),
    /** Engine.IO: the client closed the connection or it went away. */
    TRANSPORT_CLOSE("transport close"),
    /** Engine.IO: the server closed the connection. */
    FORCED_CLOSE("forced close"),
    /** Engine.IO: no pong within pingTimeout. */
    PING_TIMEOUT("ping timeout"),
    /** A packet could not be decoded (Engine.IO or Socket.IO level). */
    PARSE_ERROR("parse error"),
    /** {@code SocketIoServer.close()}. */
    SERVER_SHUTTING_DOWN("server shutting down"),
    /** The server closed the whole connection ({@code disconnect(true)}, a protocol violation). */
    FORCED_SERVER_CLOSE("forced server close"),
    /** The client sent DISCONNECT for this namespace ({@code socket.disconnect()} on the client). */
    CLIENT_NAMESPACE_DISCONNECT("client namespace disconnect"),
    /** The server disconnected this socket from its namespace ({@code socket.disconnect()}). */
    SERVER_NAMESPACE_DISCONNECT("server namespace disconnect");

    private final String text;

    DisconnectReason(String text) {
        this.text = text;
    }

    /** The official reason string. */
    public String text() {
        return text;
    }

    /** Reasons after which connection state recovery keeps the session (socket.io's RECOVERABLE_DISCONNECT_REASONS). */
    public boolean recoverable() {
        switch (this) {
            case TRANSPORT_ERROR:
            case TRANSPORT_CLOSE:
            case FORCED_CLOSE:
            case PING_TIMEOUT:
            case SERVER_SHUTTING_DOWN:
            case FORCED_SERVER_CLOSE:
                return true;
            default:
                return false;
        }
    }

    static DisconnectReason of(CloseReason reason) {
        switch (reason) {
            case PING_TIMEOUT:
                return PING_TIMEOUT;
            case TRANSPORT_CLOSE:
                return TRANSPORT_CLOSE;
            case TRANSPORT_ERROR:
                return TRANSPORT_ERROR;
            case PARSE_ERROR:
                return PARSE_ERROR;
            case FORCED_CLOSE:
            default:
                return FORCED_CLOSE;
        }
    }

    @Override
    public String toString() {
        return text;
    }
}
