package dev.switchboard.socketio;

import dev.switchboard.core.handler.HandlerRejectedException;
import java.util.Map;

/**
 * What the server answers when the client asked for an acknowledgement of an event whose handler
 * failed before sending one: the handler (a listener, or per-packet middleware) threw, or, declared
 * blocking ({@link Socket#onBlocking}), it was refused because the worker pool was full.
 *
 * <p>socket.io itself and netty-socketio send nothing in that case (netty-socketio only calls its
 * {@code ExceptionListener}); the client's callback then waits until its own timeout. We answer at
 * once, by default with one argument {@code {"error": {"message": "internal error"}}}, or
 * {@code {"error": {"message": "server busy"}}} for a refused blocking handler. The exception's own
 * message is never sent: it may hold server internals. {@link #NONE} restores the socket.io behaviour.
 * Set it with {@link SocketIoConfig.Builder#handlerErrorAck}.
 */
@FunctionalInterface
public interface HandlerErrorAck {

    /**
     * The arguments of the error acknowledgement, or null to send none. Runs on the socket's event
     * loop; must not block. {@code error} is a {@link HandlerRejectedException} for a refused handler.
     */
    Object[] args(String event, Throwable error);

    /** {@code {"error": {"message": "internal error" | "server busy"}}}. */
    HandlerErrorAck DEFAULT = (event, error) -> new Object[] {
        Map.of("error", Map.of("message", error instanceof HandlerRejectedException ? "server busy" : "internal error"))
    };

    /** No answer, as socket.io and netty-socketio: the client's callback times out. */
    HandlerErrorAck NONE = (event, error) -> null;
}
