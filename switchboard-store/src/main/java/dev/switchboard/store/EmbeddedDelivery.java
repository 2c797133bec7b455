package dev.switchboard.store;

import dev.switchboard.core.spi.DeliveryHandle;

/**
 * The embedded store's delivery handle: the queue, the message id, and which delivery of it this was
 * ({@code attempt}), so that a release from an older lease cannot end a newer one.
 */
record EmbeddedDelivery(String queue, long id, int attempt) implements DeliveryHandle {}
