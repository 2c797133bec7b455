package dev.switchboard.core.routing;

import dev.switchboard.core.message.Message;
import java.util.concurrent.CompletionStage;

/**
 * A protocol's answer to requests from other nodes for one space ({@link Router#handle}). Called on
 * the backplane's receiving thread: hand blocking or loop-bound work elsewhere and complete the stage
 * from there.
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
}
