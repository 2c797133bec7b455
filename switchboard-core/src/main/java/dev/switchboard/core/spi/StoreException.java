package dev.switchboard.core.spi;

/**
 * Why a store refused or failed an operation: the storage SPIs' one failure vocabulary, which every
 * implementation maps its own errors to. Delivered as the failure of the operation's stage, never
 * thrown to the caller's thread.
 */
public class StoreException extends RuntimeException {

    /** The fixed vocabulary of refusals. */
    public enum Reason {
        /** Too much is pending; the caller should back off or reject the publish. */
        OVERLOADED,
        /** The queue is at its depth limit (RabbitMQ's {@code x-overflow=reject-publish}). */
        QUEUE_FULL,
        /** The store is not open: closing, closed, or not (re)opened yet. */
        CLOSED,
        /** A write failed; the store stopped accepting writes (like Kafka taking a log dir offline). */
        FAILED
    }

    private final Reason reason;

    public StoreException(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public StoreException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
