package dev.switchboard.server.storage;

import dev.switchboard.core.spi.StoreException;
import dev.switchboard.core.spi.StreamStore;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The Kafka stream store as the durable plane sees it: each call goes to the store connected at that
 * moment; while none is (brokers unreachable, reconnecting), calls fail at once with
 * {@link StoreException.Reason#CLOSED} (a publish answers 503). Closing it closes nothing.
 */
final class KafkaStreamHandle implements StreamStore {

    private final Supplier<? extends StreamStore> current;

    KafkaStreamHandle(Supplier<? extends StreamStore> current) {
        this.current = current;
    }

    private <T> CompletionStage<T> call(Function<StreamStore, CompletionStage<T>> op) {
        StreamStore s = current.get();
        return s == null ? CompletableFuture.failedFuture(unavailable()) : op.apply(s);
    }

    private static StoreException unavailable() {
        return new StoreException(StoreException.Reason.CLOSED, "the Kafka store is not connected (brokers unreachable or reconnecting)");
    }

    @Override
    public CompletionStage<Long> append(String stream, String messageId, byte[] payload) {
        return call(s -> s.append(stream, messageId, payload));
    }

    @Override
    public CompletionStage<ReadResult> read(String stream, long fromPosition, int max) {
        return call(s -> s.read(stream, fromPosition, max));
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
    public Tail subscribe(String stream, long afterPosition, int maxPending, Executor executor, TailListener listener) {
        StreamStore s = current.get();
        if (s == null) {
            executor.execute(() -> listener.onEnd(Tail.End.FAILED, afterPosition, unavailable()));
            return () -> {};
        }
        return s.subscribe(stream, afterPosition, maxPending, executor, listener);
    }

    @Override
    public void close() {
        // The component closes the store.
    }
}
