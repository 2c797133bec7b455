package dev.switchboard.server.storage;

import dev.switchboard.core.spi.DeliveryHandle;
import dev.switchboard.core.spi.QueueStore;
import dev.switchboard.core.spi.StoreException;
import dev.switchboard.core.spi.StreamStore;
import java.util.concurrent.Executor;
import dev.switchboard.store.EmbeddedStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The embedded store as the Socket.IO layer and the inboxes see it: a stable reference to a store that
 * its supervisor opens (and may reopen after a failure) on its own schedule. Each call goes to the store
 * open at that moment; while none is, calls fail at once with {@link StoreException.Reason#CLOSED} (a
 * publish answers 503, a restore does not recover), rather than wait without bound. Closing the handle
 * closes nothing: the supervisor owns the store. A tail subscription belongs to the store open when it
 * was made, and ends (FAILED) if that store closes.
 */
final class StoreHandle implements StreamStore, QueueStore {

    private final Supplier<EmbeddedStore> current;

    StoreHandle(Supplier<EmbeddedStore> current) {
        this.current = current;
    }

    private <T> CompletionStage<T> call(Function<EmbeddedStore, CompletionStage<T>> op) {
        EmbeddedStore s = current.get();
        if (s == null) {
            return CompletableFuture.failedFuture(unavailable());
        }
        return op.apply(s);
    }

    private static StoreException unavailable() {
        return new StoreException(StoreException.Reason.CLOSED, "the store is not open (starting or restarting)");
    }

    @Override
    public CompletionStage<Long> append(String stream, String messageId, byte[] payload) {
        return call(s -> s.append(stream, messageId, payload));
    }

    @Override
    public Tail subscribe(String stream, long afterPosition, int maxPending, Executor executor, TailListener listener) {
        EmbeddedStore s = current.get();
        if (s == null) {
            executor.execute(() -> listener.onEnd(Tail.End.FAILED, afterPosition, unavailable()));
            return () -> {};
        }
        return s.subscribe(stream, afterPosition, maxPending, executor, listener);
    }

    @Override
    public CompletionStage<ReadResult> read(String stream, long fromOffset, int max) {
        return call(s -> s.read(stream, fromOffset, max));
    }

    @Override
    public CompletionStage<ReadResult> readFromTime(String stream, long epochMillis, int max) {
        return call(s -> s.readFromTime(stream, epochMillis, max));
    }

    @Override
    public CompletionStage<Long> endPosition(String stream) {
        return call(s -> s.endPosition(stream));
    }

    @Override
    public CompletionStage<Long> enqueue(String queue, String dedupKey, byte[] payload) {
        return call(s -> s.enqueue(queue, dedupKey, payload));
    }

    @Override
    public CompletionStage<List<QueuedMessage>> lease(String queue, int max, Duration visibilityTimeout) {
        return call(s -> s.lease(queue, max, visibilityTimeout));
    }

    @Override
    public CompletionStage<Void> ack(DeliveryHandle delivery) {
        return call(s -> s.ack(delivery));
    }

    @Override
    public CompletionStage<Void> release(DeliveryHandle delivery) {
        return call(s -> s.release(delivery));
    }

    @Override
    public CompletionStage<List<QueuedMessage>> deadLetters(String queue, int max) {
        return call(s -> s.deadLetters(queue, max));
    }

    @Override
    public CompletionStage<Long> depth(String queue) {
        return call(s -> s.depth(queue));
    }

    @Override
    public void close() {
        // The store's supervisor closes it.
    }
}
