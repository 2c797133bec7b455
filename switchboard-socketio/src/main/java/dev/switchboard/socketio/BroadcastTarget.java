package dev.switchboard.socketio;

import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What a {@link BroadcastOperatorImpl} broadcasts to: a namespace, or every child of a dynamic parent
 * (both {@link BroadcastingTarget}s).
 */
interface BroadcastTarget {

    /**
     * Publishes an EVENT with {@code data} ({@code [event, ...args]}, owned from now on). The stage
     * completes once the recovery backend kept it (at once without recovery), before delivery.
     */
    java.util.concurrent.CompletionStage<Void> broadcast(ArrayNode data, BroadcastFlags flags);

    CompletableFuture<BroadcastOperator.BroadcastAcks> broadcastWithAck(ArrayNode data, BroadcastFlags flags);

    List<Socket> matching(BroadcastFlags flags);

    /** socketsJoin / socketsLeave / disconnectSockets on the other nodes (unless {@code flags.local()}). */
    void forward(dev.switchboard.core.routing.RequestType type, BroadcastFlags flags, Object... args);

    /** The matching sockets of every node (of this one only with {@code flags.local()}). */
    CompletableFuture<List<RemoteSocket>> fetchAllSockets(BroadcastFlags flags);

    SocketIoRuntime runtime();
}
