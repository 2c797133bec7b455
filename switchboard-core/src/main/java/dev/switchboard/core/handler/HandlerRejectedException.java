package dev.switchboard.core.handler;

/**
 * A blocking handler was not run: the worker pool's queue was full, or the runner was closed. Expected
 * under overload, so it carries no stack trace.
 */
public final class HandlerRejectedException extends RuntimeException {

    HandlerRejectedException(String message) {
        super(message, null, false, false);
    }
}
