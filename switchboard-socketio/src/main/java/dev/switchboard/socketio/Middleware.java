package dev.switchboard.socketio;

/**
 * Namespace middleware ({@code namespace.use}): runs for each socket before it is connected, in the
 * order registered, on the socket's event loop. Call {@link Next#proceed()} to continue or
 * {@link Next#reject} to refuse; the client then receives CONNECT_ERROR
 * {@code {"message":..,"data":..}}. Exactly one call per invocation; from any thread.
 */
@FunctionalInterface
public interface Middleware {

    void handle(Socket socket, Next next) throws Exception;

    /** Continuation of a middleware chain. */
    interface Next {
        void proceed();

        /** Refuses with a message and optional data (any Jackson-serialisable value, or null). */
        void reject(String message, Object data);

        /** Refuses with {@code error.getMessage()}, and {@link SocketIoException#data()} when it is one. */
        default void reject(Throwable error) {
            reject(error.getMessage(), error instanceof SocketIoException ? ((SocketIoException) error).data() : null);
        }
    }
}
