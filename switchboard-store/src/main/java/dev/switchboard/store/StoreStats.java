package dev.switchboard.store;

/**
 * Counters since the store was opened. Read without locking: each field is a monotonic counter, a
 * snapshot may be a little stale.
 *
 * @param appends          stream messages stored
 * @param duplicates       appends and enqueues answered from the de-duplication window (nothing stored)
 * @param enqueues         queue messages stored
 * @param commits          write batches written to RocksDB (each one WAL write, and one fsync under {@link Durability#FSYNC})
 * @param committedOps     operations carried by those batches (committedOps / commits = mean group-commit size)
 * @param rejectedOverload operations refused because the pending-operation queue was full
 * @param rejectedQueueFull enqueues refused because the queue was at its depth limit
 * @param redeliveries     leases that ended without an ack (expired or released) and were made deliverable again
 * @param deadLettered     messages moved to dead letters after reaching the delivery limit
 * @param retainedDeletes  stream messages dropped by retention
 * @param laggedTails      tail subscriptions ended because their listener fell more than its bound behind
 */
public record StoreStats(long appends, long duplicates, long enqueues, long commits, long committedOps, long rejectedOverload,
                         long rejectedQueueFull, long redeliveries, long deadLettered, long retainedDeletes, long laggedTails) {}
