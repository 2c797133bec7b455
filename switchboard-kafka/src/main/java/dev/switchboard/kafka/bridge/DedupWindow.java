package dev.switchboard.kafka.bridge;

import dev.switchboard.core.message.MessageId;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The last {@code capacity} message ids an inbound rule published, each with the stage of its first
 * publication: a record seen again (redelivered after a failure, a restart of the bridge or a producer's
 * retry with the same {@code sb-message-id}) is not published again but follows the first one's outcome,
 * also while that one is still in flight. A failed publication is forgotten, so its retry publishes.
 *
 * <p>Kept by the bridge, not by one incarnation: it survives the bridge's restarts (a broker outage), not
 * a restart of Switchboard. Thread-safe (guarded by this); capacity 0 suppresses nothing.
 */
final class DedupWindow {

    private final int capacity;
    private final Map<MessageId, CompletableFuture<?>> entries;

    DedupWindow(int capacity) {
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<MessageId, CompletableFuture<?>> eldest) {
                return size() > DedupWindow.this.capacity;
            }
        };
    }

    /** The stage of an earlier publication of {@code id}, or null after recording {@code stage} as the first. */
    synchronized CompletableFuture<?> putIfAbsent(MessageId id, CompletableFuture<?> stage) {
        if (capacity == 0) {
            return null;
        }
        return entries.putIfAbsent(id, stage);
    }

    /** Forgets {@code id} if {@code stage} is still its entry (a failed publication). */
    synchronized void forget(MessageId id, CompletableFuture<?> stage) {
        entries.remove(id, stage);
    }

    synchronized int size() {
        return entries.size();
    }
}
