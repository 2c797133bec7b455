package dev.switchboard.core.handler;

/**
 * What the {@link HandlerRunner} reports besides its log lines, for metrics and tests. Called on the
 * thread that observed the event (the handler's thread, or the watchdog's); must be cheap and must
 * not throw.
 */
public interface HandlerEvents {

    /** A handler threw; {@code error} was caught, logged and reported to the caller. */
    default void failed(String socketId, String event, Throwable error) {}

    /**
     * A handler has held {@code thread} (an event loop) for {@code heldMillis} so far, past the
     * threshold; reported once per invocation, while it is still running.
     */
    default void slow(String socketId, String event, String thread, long heldMillis) {}

    /** A blocking handler was refused because the worker queue was full. */
    default void rejected(String socketId, String event) {}

    HandlerEvents NONE = new HandlerEvents() {};
}
