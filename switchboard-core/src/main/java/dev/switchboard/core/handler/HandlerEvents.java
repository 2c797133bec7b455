package dev.switchboard.core.handler;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

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

    /**
     * Counters in {@code registry}: {@code switchboard.handlers.failed}, {@code switchboard.handlers.slow}
     * and {@code switchboard.handlers.rejected}. Not tagged by event name: event names come from clients.
     */
    static HandlerEvents micrometer(MeterRegistry registry) {
        Counter failed = Counter.builder("switchboard.handlers.failed")
                .description("user handlers that threw").register(registry);
        Counter slow = Counter.builder("switchboard.handlers.slow")
                .description("user handlers that held an event loop past the threshold").register(registry);
        Counter rejected = Counter.builder("switchboard.handlers.rejected")
                .description("blocking handlers refused because the worker queue was full").register(registry);
        return new HandlerEvents() {
            @Override
            public void failed(String socketId, String event, Throwable error) {
                failed.increment();
            }

            @Override
            public void slow(String socketId, String event, String thread, long heldMillis) {
                slow.increment();
            }

            @Override
            public void rejected(String socketId, String event) {
                rejected.increment();
            }
        };
    }
}
