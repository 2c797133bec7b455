package dev.switchboard.core.routing;

import dev.switchboard.core.message.Message;
import java.util.concurrent.CompletionStage;

/**
 * A protocol's part in what other nodes send for one space ({@link Router#handle}): its answer to their
 * requests, and a look at their broadcasts before this node delivers them. Called on the backplane's
 * receiving thread: hand blocking or loop-bound work elsewhere and complete the stage from there.
 */
@FunctionalInterface
public interface RequestHandler {

    /**
     * Handles {@code request} (its routing says which subscribers it is about; its event and arguments
     * say the rest, as the protocol defined them).
     *
     * @param replyWanted whether the requesting node waits for this node's reply
     * @return this node's reply (the protocol's bytes; {@code null} for none), sent back when
     *         {@code replyWanted}
     */
    CompletionStage<byte[]> handle(RequestType type, Message request, boolean replyWanted);

    /**
     * A broadcast published on another node is about to be delivered to this node's subscribers of the
     * space (not called for broadcasts with acks, nor for {@code local} ones, which never leave their
     * node). Runs before the delivery, so that what the protocol keeps of it (Socket.IO: the recovery
     * buffer) is there before any subscriber can have seen it. Must not block; must not throw.
     */
    default void arrived(Message broadcast) {}
}
