package dev.switchboard.core.routing;

import io.netty.util.concurrent.EventExecutor;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Members of one room (or of a whole space) grouped by event loop, so that resolution produces
 * per-loop batches without a lookup per subscriber. Written only under the owning space's monitor.
 */
final class Groups {
    final ConcurrentHashMap<EventExecutor, Set<Subscriber>> byLoop = new ConcurrentHashMap<>(4);
    /** Odd while a write is in progress; written under the space's monitor, read lock-free. */
    volatile long version;
    /** The members at an even {@code version}, or null; any write clears it. */
    volatile Snapshot snapshot;

    void add(Subscriber s) {
        version++;
        try {
            snapshot = null;
            byLoop.computeIfAbsent(s.executor(), e -> ConcurrentHashMap.newKeySet()).add(s);
        } finally {
            version++;
        }
    }

    boolean remove(Subscriber s) {
        EventExecutor loop = s.executor();
        Set<Subscriber> members = byLoop.get(loop);
        if (members == null || !members.contains(s)) {
            return false;
        }
        version++;
        try {
            snapshot = null;
            members.remove(s);
            if (members.isEmpty()) {
                byLoop.remove(loop, members);
            }
        } finally {
            version++;
        }
        return true;
    }

    boolean contains(Subscriber s) {
        Set<Subscriber> members = byLoop.get(s.executor());
        return members != null && members.contains(s);
    }

    boolean isEmpty() {
        return byLoop.isEmpty();
    }
}
