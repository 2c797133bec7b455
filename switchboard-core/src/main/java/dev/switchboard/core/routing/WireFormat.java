package dev.switchboard.core.routing;

/**
 * How a subscriber's connection wants its bytes. A publication is encoded once per wire format that
 * its subscribers use, never once per subscriber.
 *
 * <p>Identity matters: formats are compared with {@code ==}, so each protocol declares its formats as
 * constants (for example Socket.IO over WebSocket, whose encoding is the complete server-to-client
 * frame, header included, shareable by every WebSocket subscriber because server frames are unmasked;
 * and Socket.IO over polling, whose encoding is the Engine.IO packet text).
 */
public interface WireFormat {

    /** A short name for logs and metrics, e.g. {@code socketio-ws}. */
    String name();
}
