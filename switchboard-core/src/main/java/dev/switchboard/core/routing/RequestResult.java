package dev.switchboard.core.routing;

import java.util.List;

/**
 * The replies of the other nodes to a {@link Router#request}.
 *
 * @param replies  one per node that answered, in arrival order (a node's reply may be {@code null})
 * @param expected nodes asked
 * @param complete true when every node asked answered (or left) before the timeout
 */
public record RequestResult(List<byte[]> replies, int expected, boolean complete) {

    public RequestResult {
        replies = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(replies));
    }
}
