package dev.switchboard.server.durable;

import dev.switchboard.core.spi.QueueStore;
import dev.switchboard.core.spi.StreamStore;
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
 * open at that moment; while none is, calls fail at once with {@link StoreUnavailable} (a publish answers
 * 503, a restore does not recover), rather than wait without bound. Closing the handle closes nothing:
 * the supervisor owns the store.
 */
final class StoreHandle implements StreamStore, QueueStore {

    /** No store is open (still opening, or being reopened after a failure). */
    static final class StoreUnavailable extends IllegalStateException {
        StoreUnavailable() {
            super("the store is not open (starting or restarting)");
        }
    }

    private final Supplier<EmbeddedStore> current;

    StoreHandle(Supplier<EmbeddedStore> current) {
        this.current = current;
    }

    private <T> CompletionStage<T> call(Function<EmbeddedStore, CompletionStage<T>> op) {
        EmbeddedStore s = current.get();
        if (s == null) {
            return CompletableFuture.failedFuture(new StoreUnavailable());
        }
        return op.apply(s);
    }

    /** The store open now, or null. */
    EmbeddedStore now() {
        return current.get();
    }

    @Override
    public CompletionStage<Long> append(String stream, byte[] payload) {
        return call(s -> s.append(stream, payload));
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
    public CompletionStage<Long> nextOffset(String stream) {
        return call(s -> s.nextOffset(stream));
    }

    @Override
    public CompletionStage<Long> enqueue(String queue, byte[] payload) {
        return call(s -> s.enqueue(queue, payload));
    }

    @Override
    public CompletionStage<List<QueuedMessage>> lease(String queue, int max, Duration visibilityTimeout) {
        return call(s -> s.lease(queue, max, visibilityTimeout));
    }

    @Override
    public CompletionStage<Void> ack(String queue, long id) {
        return call(s -> s.ack(queue, id));
    }

    @Override
    public CompletionStage<Void> release(String queue, long id) {
        return call(s -> s.release(queue, id));
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
