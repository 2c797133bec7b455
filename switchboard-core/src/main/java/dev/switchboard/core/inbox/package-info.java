/**
 * Reliable inboxes: per-recipient queues delivered to the recipient's live connections with acks,
 * redelivery and dead letters, over any {@link dev.switchboard.core.spi.QueueStore}
 * ({@link dev.switchboard.core.inbox.Inboxes}).
 */
package dev.switchboard.core.inbox;
