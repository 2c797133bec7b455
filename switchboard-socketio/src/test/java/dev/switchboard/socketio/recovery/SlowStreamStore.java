package dev.switchboard.socketio.recovery;

import dev.switchboard.core.spi.StreamStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/** Holds every append's answer until {@link #releaseAll}: a store that is slow to confirm. */
final class SlowStreamStore implements StreamStore {

    private final StreamStore inner;
    private final List<Runnable> held = new ArrayList<>();
    private boolean released;

    SlowStreamStore(StreamStore inner) {
        this.inner = inner;
    }

    @Override
    public CompletionStage<Long> append(String stream, String messageId, byte[] payload) {
        CompletableFuture<Long> answer = new CompletableFuture<>();
        Runnable r = () -> inner.append(stream, messageId, payload).whenComplete((p, e) -> {
            if (e != null) {
                answer.completeExceptionally(e);
            } else {
                answer.complete(p);
            }
        });
        synchronized (this) {
            if (!released) {
                held.add(r);
                return answer;
            }
        }
        r.run();
        return answer;
    }

    void releaseAll() {
        List<Runnable> now;
        synchronized (this) {
            released = true;
            now = new ArrayList<>(held);
            held.clear();
        }
        now.forEach(Runnable::run);
    }

    @Override
    public CompletionStage<ReadResult> read(String stream, long fromPosition, int max) {
        return inner.read(stream, fromPosition, max);
    }

    @Override
    public CompletionStage<ReadResult> readFromTime(String stream, long epochMillis, int max) {
        return inner.readFromTime(stream, epochMillis, max);
    }

    @Override
    public CompletionStage<Long> endPosition(String stream) {
        return inner.endPosition(stream);
    }

    @Override
    public Tail subscribe(String stream, long afterPosition, int maxPending, Executor executor, TailListener listener) {
        return inner.subscribe(stream, afterPosition, maxPending, executor, listener);
    }

    @Override
    public void close() {}
}
