package dev.switchboard.rabbitmq;

/**
 * The broker cannot be reached now (not connected yet, or the connection is recovering): an expected
 * condition, without a stack trace. Operations that need the broker fail with it at once.
 */
public final class RabbitUnavailableException extends java.io.IOException {

    public RabbitUnavailableException(String message) {
        super(message, null);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
