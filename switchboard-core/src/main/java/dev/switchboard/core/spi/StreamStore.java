package dev.switchboard.core.spi;

import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Durable, ordered log per stream (a durable room, a namespace's recovery sequence): the role Kafka
 * plays in a cluster, played on one node by the embedded store.
 *
 * <p><b>Positions</b> are opaque {@code long}s, non-negative and strictly increasing per stream in
 * append order, but not dense: a stream kept on a Kafka partition shared with other streams gets the
 * partition's offsets. Callers never compute a position (no {@code +1} to find the next message); they
 * read from a position and take what comes. "After {@code p}" is "from {@code p + 1}". Positions of
 * different streams are not comparable.
 *
 * <p><b>Idempotence</b>: an append names its message id; appending an id already stored in that
 * stream within the store's de-duplication window stores nothing and completes with the first
 * append's position. Outside the window (documented by each implementation, bounded) an id may be
 * stored twice.
 *
 * <p><b>Retention</b> may drop the oldest messages; a read from below
 * {@link ReadResult#firstPosition()} says so through {@link ReadResult#truncated()}, never by silently
 * skipping.
 *
 * <p><b>Threading</b>: every method is safe from any thread and never blocks the caller; I/O runs on
 * the store's own threads and the stages complete there (callbacks attached without an executor must
 * not block). Appends to one stream complete in the order they were called.
 */
public interface StreamStore extends AutoCloseable {

    /**
     * Appends one message. The stage completes with its position once the write is durable under the
     * store's durability policy, and fails ({@link StoreException}) if it could not be stored.
     *
     * @param messageId the message's unique id, for de-duplication (non-empty, at most 256 characters)
     * @param payload   owned by the store from the call on (not copied)
     */
    CompletionStage<Long> append(String stream, String messageId, byte[] payload);

    /** Reads up to {@code max} messages with positions {@code >= fromPosition}, in position order. */
    CompletionStage<ReadResult> read(String stream, long fromPosition, int max);

    /** Reads up to {@code max} messages appended at or after {@code epochMillis}, in position order. */
    CompletionStage<ReadResult> readFromTime(String stream, long epochMillis, int max);

    /**
     * A bound every later append's position is at or above, and every stored position below (0 for an
     * empty or unknown stream): reading from it returns only what is appended afterwards.
     */
    CompletionStage<Long> endPosition(String stream);

    /**
     * Tells {@code listener}, on {@code executor}, of every message of {@code stream} with a position
     * above {@code afterPosition}: first those already stored, then each append once it is durable, in
     * position order, one call at a time. Live consumers use it instead of polling.
     *
     * <p>Bounded: at most {@code maxPending} messages wait for the listener. A listener that falls
     * further behind is ended with {@link Tail.End#LAGGED} and the position to resume from (after
     * reading what it missed with {@link #read}, it may subscribe again); one whose position retention
     * has passed is ended with {@link Tail.End#TRUNCATED}: nothing is dropped silently.
     *
     * @param afterPosition {@code -1} for the whole retained stream
     */
    Tail subscribe(String stream, long afterPosition, int maxPending, Executor executor, TailListener listener);

    @Override
    void close();

    /** One stored message. {@code payload} is owned by the reader. */
    record StoredMessage(String stream, long position, String messageId, long timestampMillis, byte[] payload) {}

    /**
     * @param messages      in position order
     * @param firstPosition the oldest position still retained (0 for an unknown stream)
     * @param endPosition   as {@link #endPosition}: above every position stored when the read ran
     * @param truncated     the requested start was older than {@code firstPosition}: messages were lost to retention
     */
    record ReadResult(List<StoredMessage> messages, long firstPosition, long endPosition, boolean truncated) {}

    /** Receives a {@link #subscribe subscription}'s messages; called on its executor, one call at a time. */
    interface TailListener {

        void onMessage(StoredMessage message);

        /**
         * The subscription ended and no message follows.
         *
         * @param resumeAfter the position of the last message handed to {@link #onMessage} (or the
         *                    subscription's {@code afterPosition} if none): read or subscribe after it to continue
         * @param cause       for {@link Tail.End#FAILED}, what went wrong; else null
         */
        default void onEnd(Tail.End reason, long resumeAfter, Throwable cause) {}
    }

    /** A live subscription. */
    interface Tail extends AutoCloseable {

        /** Why a subscription ended. */
        enum End {
            /** {@link Tail#close()} was called. */
            CLOSED,
            /** More than {@code maxPending} messages waited for the listener. */
            LAGGED,
            /**
             * Retention had dropped messages after {@code afterPosition} before they could be handed on
             * (never reported for {@code afterPosition = -1}, which asks for what is retained).
             */
            TRUNCATED,
            /** The store closed or failed, or a read it needed failed. */
            FAILED
        }

        /** Stops the subscription; the listener gets {@link End#CLOSED} unless it had already ended. */
        @Override
        void close();
    }
}
