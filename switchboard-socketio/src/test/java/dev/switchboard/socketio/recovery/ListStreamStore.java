package dev.switchboard.socketio.recovery;

import dev.switchboard.core.spi.StreamStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A plain in-memory {@link StreamStore} with the SPI's contract (dense offsets, retention that says
 * {@code truncated}), so that the durable backend's logic is tested without the embedded store (which
 * this module must not depend on; the server's tests run it over the real one).
 */
final class ListStreamStore implements StreamStore {

    private final Map<String, List<StoredMessage>> streams = new HashMap<>();
    private final Map<String, Long> first = new HashMap<>();

    @Override
    public synchronized CompletionStage<Long> append(String stream, byte[] payload) {
        List<StoredMessage> s = streams.computeIfAbsent(stream, k -> new ArrayList<>());
        long offset = first.getOrDefault(stream, 0L) + s.size();
        s.add(new StoredMessage(stream, offset, System.currentTimeMillis(), payload));
        return CompletableFuture.completedFuture(offset);
    }

    /** Drops the oldest messages so that {@code keep} remain. */
    synchronized void retain(String stream, int keep) {
        List<StoredMessage> s = streams.get(stream);
        while (s.size() > keep) {
            s.remove(0);
            first.merge(stream, 1L, Long::sum);
        }
    }

    @Override
    public synchronized CompletionStage<ReadResult> read(String stream, long fromOffset, int max) {
        List<StoredMessage> s = streams.getOrDefault(stream, List.of());
        long f = first.getOrDefault(stream, 0L);
        long next = f + s.size();
        List<StoredMessage> out = new ArrayList<>();
        for (long o = Math.max(f, fromOffset); o < next && out.size() < max; o++) {
            out.add(s.get((int) (o - f)));
        }
        return CompletableFuture.completedFuture(new ReadResult(out, f, next, fromOffset < f));
    }

    @Override
    public CompletionStage<ReadResult> readFromTime(String stream, long epochMillis, int max) {
        throw new UnsupportedOperationException("not used by recovery");
    }

    @Override
    public synchronized CompletionStage<Long> nextOffset(String stream) {
        return CompletableFuture.completedFuture(first.getOrDefault(stream, 0L) + streams.getOrDefault(stream, List.of()).size());
    }

    @Override
    public void close() {}
}
