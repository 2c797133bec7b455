package dev.switchboard.socketio;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The acknowledgements a socket asked of its client and still awaits, by ack id: those of
 * {@link Socket#emitWithAck} (each with its own timeout) and those of a broadcast with acks (whose
 * timeout the namespace keeps). An entry leaves when the client answers, when it times out, or when
 * the socket disconnects ({@link #failAll}).
 *
 * <p>Threading: confined to the socket's event loop, plain fields without locks. The map is made on
 * the first ack asked, so sockets that never ask one do not keep it.
 */
final class AckTable {

    /** An acknowledgement awaited from the client. */
    private interface PendingAck {
        void acked(List<Object> args);

        /** The socket disconnected first. */
        default void failed(Throwable error) {}
    }

    private Map<Long, PendingAck> acks;

    private Map<Long, PendingAck> acks() {
        if (acks == null) {
            acks = new HashMap<>();
        }
        return acks;
    }

    /**
     * Awaits the answer to {@code ackId} for {@code result}: completed with the client's arguments, or
     * failed with {@link AckTimeoutException} after {@code timeout} (timer on {@code loop}), or with the
     * error of {@link #failAll}.
     */
    void expect(long ackId, Duration timeout, EventExecutor loop, CompletableFuture<List<Object>> result) {
        ScheduledFuture<?> timer = loop.schedule(() -> {
            acks().remove(ackId);
            result.completeExceptionally(new AckTimeoutException(List.of()));
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        acks().put(ackId, new PendingAck() {
            @Override
            public void acked(List<Object> ackArgs) {
                timer.cancel(false);
                result.complete(ackArgs);
            }

            @Override
            public void failed(Throwable error) {
                timer.cancel(false);
                result.completeExceptionally(error);
            }
        });
    }

    /** Awaits the answer to {@code ackId} of a broadcast; its timeout is the caller's ({@link #forget}). */
    void expect(long ackId, Consumer<List<Object>> onAck) {
        acks().put(ackId, onAck::accept);
    }

    /** The client answered {@code ackId}; the arguments are converted only if it was awaited. */
    void acked(long ackId, Supplier<List<Object>> args) {
        PendingAck ack = acks == null ? null : acks.remove(ackId);
        if (ack != null) {
            ack.acked(args.get());
        }
    }

    /** No longer awaits {@code ackId} (not written, or its broadcast timed out). */
    void forget(long ackId) {
        if (acks != null) {
            acks.remove(ackId);
        }
    }

    /** The socket disconnected: every awaited answer fails with {@code error}. */
    void failAll(Throwable error) {
        if (acks == null || acks.isEmpty()) {
            return;
        }
        List<PendingAck> pending = List.copyOf(acks.values());
        acks.clear();
        pending.forEach(a -> a.failed(error));
    }

    boolean isEmpty() {
        return acks == null || acks.isEmpty();
    }

    int size() {
        return acks == null ? 0 : acks.size();
    }
}
