package dev.switchboard.socketio;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link BroadcastTarget} that is itself the {@link BroadcastOperator} of all its sockets, as a
 * {@link Namespace} is ({@code io.of("/chat").emit(..)}, {@code io.of("/chat").to("lobby")}). The
 * operator's methods are written here once: each starts a {@link BroadcastOperatorImpl} over this
 * target with no room and no flag ({@link BroadcastFlags#ALL}) and applies itself to it. Any thread.
 */
interface BroadcastingTarget extends BroadcastTarget, BroadcastOperator {

    @Override
    default BroadcastOperator to(String... rooms) {
        return new BroadcastOperatorImpl(this, BroadcastFlags.ALL.to(rooms));
    }

    @Override
    default BroadcastOperator in(String... rooms) {
        return to(rooms);
    }

    @Override
    default BroadcastOperator except(String... rooms) {
        return new BroadcastOperatorImpl(this, BroadcastFlags.ALL.except(rooms));
    }

    @Override
    default BroadcastOperator asVolatile() {
        return new BroadcastOperatorImpl(this, BroadcastFlags.ALL.asVolatile());
    }

    @Override
    default BroadcastOperator compress(boolean compress) {
        return new BroadcastOperatorImpl(this, BroadcastFlags.ALL.compressed(compress));
    }

    @Override
    default BroadcastOperator messageId(dev.switchboard.core.message.MessageId id) {
        return new BroadcastOperatorImpl(this, BroadcastFlags.ALL.withMessageId(id));
    }

    @Override
    default BroadcastOperator local() {
        return new BroadcastOperatorImpl(this, BroadcastFlags.ALL.asLocal());
    }

    @Override
    default BroadcastOperator timeout(Duration timeout) {
        return new BroadcastOperatorImpl(this, BroadcastFlags.ALL.withTimeout(timeout));
    }

    @Override
    default void emit(String event, Object... args) {
        new BroadcastOperatorImpl(this, BroadcastFlags.ALL).emit(event, args);
    }

    @Override
    default CompletableFuture<Void> emitStored(String event, Object... args) {
        return new BroadcastOperatorImpl(this, BroadcastFlags.ALL).emitStored(event, args);
    }

    @Override
    default CompletableFuture<BroadcastAcks> emitWithAck(String event, Object... args) {
        return new BroadcastOperatorImpl(this, BroadcastFlags.ALL).emitWithAck(event, args);
    }

    @Override
    default List<Socket> fetchSockets() {
        return matching(BroadcastFlags.ALL);
    }

    @Override
    default CompletableFuture<List<RemoteSocket>> fetchAllSockets() {
        return fetchAllSockets(BroadcastFlags.ALL);
    }

    @Override
    default void socketsJoin(String... rooms) {
        new BroadcastOperatorImpl(this, BroadcastFlags.ALL).socketsJoin(rooms);
    }

    @Override
    default void socketsLeave(String... rooms) {
        new BroadcastOperatorImpl(this, BroadcastFlags.ALL).socketsLeave(rooms);
    }

    @Override
    default void disconnectSockets(boolean close) {
        new BroadcastOperatorImpl(this, BroadcastFlags.ALL).disconnectSockets(close);
    }
}
