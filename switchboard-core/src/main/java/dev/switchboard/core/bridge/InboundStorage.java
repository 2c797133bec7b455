package dev.switchboard.core.bridge;

import dev.switchboard.core.message.Message;
import dev.switchboard.core.routing.Router;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The step between a bridge's inbound side and the router: stores a message whose room the node stores
 * (a durable room) and gives it back with its stream {@link Message#position()}; gives any other message
 * back unchanged. The source's acknowledgement waits for it. Thread-safe, non-blocking.
 */
@FunctionalInterface
public interface InboundStorage {

    CompletionStage<Message> store(Message message);

    /**
     * Stores {@code message} where it is stored, then publishes it through {@code router}: what
     * {@link Inbound#publish} does after stamping the origin. A storage layer that stores and delivers in one
     * step (Socket.IO's recovery, which gives each event its offset before delivering it) overrides this to
     * do both itself; the message is then not published again.
     *
     * @return completes once the message was stored (where stored) and handed to the router;
     *         {@link Inbound.Accepted#recipients()} is -1 when the storage layer delivered it and does not count
     */
    default CompletionStage<Inbound.Accepted> storeAndPublish(Message message, Router router) {
        return store(message).thenCompose(stored -> router.publish(stored)
                .thenApply(n -> new Inbound.Accepted(stored.id(), n, stored.position())));
    }

    /** No room is stored: every message goes straight to the router. */
    InboundStorage NONE = CompletableFuture::completedFuture;
}
