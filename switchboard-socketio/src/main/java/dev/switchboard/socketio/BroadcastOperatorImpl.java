package dev.switchboard.socketio;

import dev.switchboard.core.message.MessageId;
import dev.switchboard.core.routing.RequestType;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Immutable: each modifier returns a new operator over the same target. */
final class BroadcastOperatorImpl implements BroadcastOperator {

    private final BroadcastTarget target;
    private final BroadcastFlags flags;

    BroadcastOperatorImpl(BroadcastTarget target, BroadcastFlags flags) {
        this.target = target;
        this.flags = flags;
    }

    @Override
    public BroadcastOperator to(String... rooms) {
        return new BroadcastOperatorImpl(target, flags.to(rooms));
    }

    @Override
    public BroadcastOperator in(String... rooms) {
        return to(rooms);
    }

    @Override
    public BroadcastOperator except(String... rooms) {
        return new BroadcastOperatorImpl(target, flags.except(rooms));
    }

    @Override
    public BroadcastOperator asVolatile() {
        return new BroadcastOperatorImpl(target, flags.asVolatile());
    }

    @Override
    public BroadcastOperator compress(boolean compress) {
        return new BroadcastOperatorImpl(target, flags.compressed(compress));
    }

    @Override
    public BroadcastOperator messageId(MessageId id) {
        return new BroadcastOperatorImpl(target, flags.withMessageId(id));
    }

    @Override
    public BroadcastOperator local() {
        return new BroadcastOperatorImpl(target, flags.asLocal());
    }

    @Override
    public BroadcastOperator timeout(Duration timeout) {
        return new BroadcastOperatorImpl(target, flags.withTimeout(timeout));
    }

    @Override
    public void emit(String event, Object... args) {
        SocketIoRuntime.checkEventName(event);
        target.broadcast(target.runtime().payloads().eventData(event, args), flags);
    }

    @Override
    public CompletableFuture<Void> emitStored(String event, Object... args) {
        SocketIoRuntime.checkEventName(event);
        return target.broadcast(target.runtime().payloads().eventData(event, args), flags).toCompletableFuture();
    }

    @Override
    public CompletableFuture<BroadcastAcks> emitWithAck(String event, Object... args) {
        SocketIoRuntime.checkEventName(event);
        if (flags.timeout() == null) {
            throw new IllegalStateException("a broadcast with acknowledgements needs timeout(..) first");
        }
        return target.broadcastWithAck(target.runtime().payloads().eventData(event, args), flags);
    }

    @Override
    public List<Socket> fetchSockets() {
        return target.matching(flags);
    }

    @Override
    public CompletableFuture<List<RemoteSocket>> fetchAllSockets() {
        return target.fetchAllSockets(flags);
    }

    @Override
    public void socketsJoin(String... rooms) {
        for (Socket s : target.matching(flags)) {
            s.join(rooms);
        }
        target.forward(RequestType.SOCKETS_JOIN, flags, (Object[]) rooms);
    }

    @Override
    public void socketsLeave(String... rooms) {
        for (Socket s : target.matching(flags)) {
            for (String r : rooms) {
                s.leave(r);
            }
        }
        target.forward(RequestType.SOCKETS_LEAVE, flags, (Object[]) rooms);
    }

    @Override
    public void disconnectSockets(boolean close) {
        for (Socket s : target.matching(flags)) {
            s.disconnect(close);
        }
        target.forward(RequestType.DISCONNECT_SOCKETS, flags, close);
    }
}
