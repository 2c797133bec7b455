package dev.switchboard.core.spi;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Per-recipient reliable queues (inboxes) with explicit ack, redelivery and dead letters: the role
 * RabbitMQ plays in a cluster (quorum queues with a delivery limit and a dead-letter exchange),
 * played on one node by the embedded store.
 *
 * <p>A message is {@linkplain #enqueue stored}, then {@linkplain #lease leased} to a consumer for a
 * visibility timeout; it is removed only by {@link #ack}. A lease that expires, or a {@link #release},
 * makes it deliverable again with its attempt count increased; past the queue's delivery limit it
 * moves to the queue's dead letters instead.
 *
 * <p>Ack and release name a {@link DeliveryHandle}, the one lease they end, not the message: a
 * RabbitMQ delivery tag is such a handle (valid on its channel, for that delivery only).
 *
 * <p>Threading: safe from any thread, never blocks the caller.
 */
public interface QueueStore extends AutoCloseable {

    /**
     * Stores a message; the stage completes with its id once durable under the store's policy.
     * Enqueuing a {@code dedupKey} already enqueued on that queue within the store's de-duplication
     * window stores nothing and completes with the first message's id (a publisher may retry safely).
     *
     * @param dedupKey non-empty, at most 256 characters; a fresh unique key when the caller has none
     * @param payload  owned by the store from the call on
     */
    CompletionStage<Long> enqueue(String queue, String dedupKey, byte[] payload);

    /**
     * Leases up to {@code max} deliverable messages, oldest first, hidden from other leases until acked or
     * expired. A message is deliverable once its {@link #enqueue} stage has completed; one whose enqueue
     * is still in progress may be left for a later lease.
     */
    CompletionStage<List<QueuedMessage>> lease(String queue, int max, Duration visibilityTimeout);

    /**
     * Removes a delivered message for good. Idempotent: acking a handle whose message is gone completes
     * normally. A handle whose lease expired still acks its message if it was not dead-lettered (a late
     * ack means the message was processed).
     */
    CompletionStage<Void> ack(DeliveryHandle delivery);

    /** Ends a lease early: the message becomes deliverable again (counting the attempt). A stale handle is ignored. */
    CompletionStage<Void> release(DeliveryHandle delivery);

    /** Messages that went past the delivery limit, oldest first (their handles ack nothing). */
    CompletionStage<List<QueuedMessage>> deadLetters(String queue, int max);

    /** Stored messages not yet acked (leased or not), excluding dead letters. */
    CompletionStage<Long> depth(String queue);

    @Override
    void close();

    /**
     * A message as delivered.
     *
     * @param id       the store's id of the message (what {@link #enqueue} answered)
     * @param attempt  counts deliveries, starting at 1
     * @param delivery the handle to {@link #ack} or {@link #release} this delivery with
     */
    record QueuedMessage(String queue, long id, long enqueuedAtMillis, int attempt, byte[] payload, DeliveryHandle delivery) {}
}
