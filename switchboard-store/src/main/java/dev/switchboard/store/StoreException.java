package dev.switchboard.store;

/**
 * Why the embedded store refused or failed an operation. Delivered as the failure of the operation's
 * stage, never thrown to the caller's thread.
 */
public final class StoreException extends RuntimeException {

    /** The fixed vocabulary of refusals. */
    public enum Reason {
        /** The bounded queue of pending operations is full; the caller should back off or reject the publish. */
        OVERLOADED,
        /** The queue holds {@code maxQueueDepth} messages (RabbitMQ's {@code x-overflow=reject-publish}). */
        QUEUE_FULL,
        /** The store is closing or closed. */
        CLOSED,
        /** A disk write failed; the store stopped accepting writes (like Kafka taking a log dir offline). */
        FAILED
    }

    private final Reason reason;

    StoreException(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    StoreException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
