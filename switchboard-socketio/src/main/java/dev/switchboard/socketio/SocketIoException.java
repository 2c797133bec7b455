package dev.switchboard.socketio;

/**
 * An error with the {@code data} socket.io attaches to it: thrown (or passed to
 * {@link Middleware.Next#reject(Throwable)}) by middleware to refuse a connection with
 * {@code {"message":..,"data":..}}; also the failure of an acknowledgement that timed out.
 */
public class SocketIoException extends RuntimeException {

    private final transient Object data;

    public SocketIoException(String message) {
        this(message, null);
    }

    public SocketIoException(String message, Object data) {
        super(message, null, false, false);
        this.data = data;
    }

    /** The {@code data} sent with a CONNECT_ERROR, or {@code null}. */
    public Object data() {
        return data;
    }
}
