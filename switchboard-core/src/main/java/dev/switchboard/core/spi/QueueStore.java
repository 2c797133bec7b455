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
 * <p>Threading: safe from any thread, never blocks the caller.
 */
public interface QueueStore extends AutoCloseable {

    /** Stores a message; the stage completes with its id once durable under the store's policy. */
    CompletionStage<Long> enqueue(String queue, byte[] payload);

    /**
     * Leases up to {@code max} deliverable messages, oldest first, hidden from other leases until acked or
     * expired. A message is deliverable once its {@link #enqueue} stage has completed; one whose enqueue
     * is still in progress may be left for a later lease.
     */
    CompletionStage<List<QueuedMessage>> lease(String queue, int max, Duration visibilityTimeout);

    /** Removes a delivered message for good. Acking an unknown id completes normally (idempotent). */
    CompletionStage<Void> ack(String queue, long id);

    /** Ends a lease early: the message becomes deliverable again (counting the attempt). */
    CompletionStage<Void> release(String queue, long id);

    /** Messages that went past the delivery limit, oldest first. */
    CompletionStage<List<QueuedMessage>> deadLetters(String queue, int max);

    /** Stored messages not yet acked (leased or not), excluding dead letters. */
    CompletionStage<Long> depth(String queue);

    @Override
    void close();

    /** A message as delivered; {@code attempt} counts deliveries, starting at 1. */
    record QueuedMessage(String queue, long id, long enqueuedAtMillis, int attempt, byte[] payload) {}
}
