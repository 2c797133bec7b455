package dev.switchboard.core.spi;

/**
 * One delivery of a queued message, as its {@link QueueStore} issued it: pass it back to
 * {@link QueueStore#ack} or {@link QueueStore#release}. Opaque to callers; each implementation gives
 * its own (the embedded store's names the queue, the message and the lease; RabbitMQ's would carry the
 * channel and delivery tag). Immutable, and valid only with the store that issued it.
 */
public interface DeliveryHandle {

    /** The queue the message was leased from. */
    String queue();
}
