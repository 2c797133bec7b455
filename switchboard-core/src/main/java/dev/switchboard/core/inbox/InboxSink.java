package dev.switchboard.core.inbox;

import dev.switchboard.core.spi.QueueStore.QueuedMessage;
import java.util.concurrent.CompletionStage;

/**
 * One connection of a recipient, as the inbox service sees it: the Socket.IO layer implements it by
 * emitting the message with an ack callback.
 */
@FunctionalInterface
public interface InboxSink {

    /**
     * Hands one message to the client. The stage completes normally when the client acknowledges it,
     * exceptionally if it cannot be delivered (the connection is gone). A stage that never completes
     * is cut by the inbox's ack timeout. Must not block: it is called on the inbox thread.
     */
    CompletionStage<Void> deliver(QueuedMessage message);
}
