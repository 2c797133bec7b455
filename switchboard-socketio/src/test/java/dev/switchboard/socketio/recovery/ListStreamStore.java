package dev.switchboard.socketio.recovery;

import dev.switchboard.core.spi.StreamStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * A stream store in memory for recovery tests, with positions as a Kafka partition shared by every
 * stream gives them: one counter for all streams, so a stream's positions are increasing but not
 * dense (a caller that assumes {@code +1} fails here). De-duplicates by message id.
 */
final class ListStreamStore implements StreamStore {

    private final Map<String, List<StoredMessage>> streams = new HashMap<>();
    private final Map<String, Long> firstKept = new HashMap<>();
    private final Map<String, Long> ids = new HashMap<>();
    /** The shared "partition" offset; starts high and steps by 3 so that no position is a small dense index. */
    private long next = 1_000;

    @Override
    public synchronized CompletionStage<Long> append(String stream, String messageId, byte[] payload) {
        Long seen = ids.get(stream + '\0' + messageId);
        if (seen != null) {
            return CompletableFuture.completedFuture(seen);
        }
        long position = next;
        next += 3;
        streams.computeIfAbsent(stream, k -> new ArrayList<>())
                .add(new StoredMessage(stream, position, messageId, System.currentTimeMillis(), payload));
        ids.put(stream + '\0' + messageId, position);
        return CompletableFuture.completedFuture(position);
    }

    /** Drops the oldest messages so that {@code keep} remain. */
    synchronized void retain(String stream, int keep) {
        List<StoredMessage> s = streams.get(stream);
        while (s.size() > keep) {
            StoredMessage dropped = s.remove(0);
            firstKept.put(stream, dropped.position() + 1);
        }
    }

    /** Appends someone else makes to the shared partition (another stream, or another node). */
    synchronized void skip(int positions) {
        next += positions;
    }

    private long first(String stream) {
        List<StoredMessage> s = streams.getOrDefault(stream, List.of());
        return s.isEmpty() ? firstKept.getOrDefault(stream, 0L) : s.get(0).position();
    }

    @Override
    public synchronized CompletionStage<ReadResult> read(String stream, long fromPosition, int max) {
        List<StoredMessage> out = new ArrayList<>();
        for (StoredMessage m : streams.getOrDefault(stream, List.of())) {
            if (m.position() >= fromPosition && out.size() < max) {
                out.add(m);
            }
        }
        return CompletableFuture.completedFuture(new ReadResult(out, first(stream), next,
                fromPosition < firstKept.getOrDefault(stream, Long.MIN_VALUE)));
    }

    @Override
    public CompletionStage<ReadResult> readFromTime(String stream, long epochMillis, int max) {
        throw new UnsupportedOperationException("not used by recovery");
    }

    @Override
    public synchronized CompletionStage<Long> endPosition(String stream) {
        return CompletableFuture.completedFuture(next);
    }

    @Override
    public Tail subscribe(String stream, long afterPosition, int maxPending, Executor executor, TailListener listener) {
        throw new UnsupportedOperationException("not used by recovery");
    }

    @Override
    public void close() {}
}
