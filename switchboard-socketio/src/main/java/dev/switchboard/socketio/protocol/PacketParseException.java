package dev.switchboard.socketio.protocol;

/**
 * A packet that breaks socket.io-protocol v5. The connection that sent it is closed (reason
 * {@code parse error}); the message says which rule was broken and what was found.
 */
public final class PacketParseException extends Exception {

    public PacketParseException(String message) {
        super(message, null, false, false);
    }
}
