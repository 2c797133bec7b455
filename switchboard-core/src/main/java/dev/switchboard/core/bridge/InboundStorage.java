package dev.switchboard.core.bridge;

import dev.switchboard.core.message.Message;
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

    /** No room is stored: every message goes straight to the router. */
    InboundStorage NONE = CompletableFuture::completedFuture;
}
