package dev.switchboard.socketio;

import java.util.List;

/**
 * Per-packet middleware on one socket ({@code socket.use}): sees each incoming event before its
 * listeners, on the socket's event loop. {@link Middleware.Next#reject} stops the event and reports
 * the error to the socket's error listeners (nothing is sent to the client, as in socket.io).
 */
@FunctionalInterface
public interface PacketMiddleware {

    void handle(String event, List<Object> args, Middleware.Next next) throws Exception;
}
