package dev.switchboard.server.api;

import java.util.Set;

/**
 * Event names no API operation may send to clients: Socket.IO's own (a server cannot emit them; a client
 * would take them for its connection's events) and the {@code switchboard:} protocol's.
 */
public final class ReservedEvents {

    /** Socket.IO refuses to emit these from a server (socket.io's RESERVED_EVENTS). */
    static final Set<String> SOCKET_IO = dev.switchboard.socketio.protocol.PacketDecoder.RESERVED_EVENTS;
    /** Events of Switchboard's client protocol ({@code switchboard:subscribe}, {@code switchboard:token-expiring}, ...). */
    static final String SWITCHBOARD_PREFIX = "switchboard:";

    private ReservedEvents() {}

    public static boolean isReserved(String event) {
        return SOCKET_IO.contains(event) || event.startsWith(SWITCHBOARD_PREFIX);
    }

    /**
     * @param field the request field naming the event, for the message
     * @throws ApiError 400 when the event is empty or reserved
     */
    public static String require(String field, String event) {
        if (event == null || event.isEmpty()) {
            throw ApiError.badRequest("'" + field + "' is required: the event name clients listen to");
        }
        if (isReserved(event)) {
            throw ApiError.badRequest("'" + field + "' \"" + event + "\" is reserved "
                    + (SOCKET_IO.contains(event) ? "by Socket.IO" : "by Switchboard's " + SWITCHBOARD_PREFIX + " protocol"));
        }
        return event;
    }
}
