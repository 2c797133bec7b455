package dev.switchboard.core.routing;

import io.netty.util.concurrent.EventExecutor;
import java.util.Set;

/** The batches of one publication; few (one per event loop), so a linear search finds a loop's. */
final class Batches {
    static final Batches EMPTY = new Batches();

    Batch[] batches = new Batch[4];
    int count;
    /** Ids the fan-out must skip (the batches still hold them); null when none. */
    Set<String> skipIds;
    /** How many members the batches hold that {@link #skipIds} excludes. */
    int skipped;

    boolean skips(Subscriber s) {
        return skipIds != null && skipIds.contains(s.id());
    }

    Batch batchFor(EventExecutor loop, int sizeHint) {
        for (int i = 0; i < count; i++) {
            if (batches[i].loop == loop) {
                return batches[i];
            }
        }
        Batch b = new Batch(loop, sizeHint);
        add(b);
        return b;
    }

    void add(Batch b) {
        if (count == batches.length) {
            batches = java.util.Arrays.copyOf(batches, count * 2);
        }
        batches[count++] = b;
    }

    /**
     * Drops repeated subscribers, keeping the first; allocates one identity table of about 8 bytes
     * per subscriber (compressed references), only when called.
     */
    void deduplicate() {
        int total = subscriberCount();
        if (total < 2) {
            return;
        }
        Object[] table = new Object[Integer.highestOneBit(total * 2 - 1) << 1];
        int mask = table.length - 1;
        for (int i = 0; i < count; i++) {
            Batch b = batches[i];
            int kept = 0;
            for (int j = 0; j < b.size; j++) {
                Subscriber s = b.subscribers[j];
                if (addIdentity(table, mask, s)) {
                    b.subscribers[kept++] = s;
                }
            }
            java.util.Arrays.fill(b.subscribers, kept, b.size, null);
            b.size = kept;
        }
    }

    /** Open addressing with linear probing; false if {@code o} (by identity) is already in. */
    private static boolean addIdentity(Object[] table, int mask, Object o) {
        int h = System.identityHashCode(o);
        int i = (h ^ (h >>> 16)) * 0x9E3779B1 & mask;
        for (;;) {
            Object at = table[i];
            if (at == null) {
                table[i] = o;
                return true;
            }
            if (at == o) {
                return false;
            }
            i = (i + 1) & mask;
        }
    }

    /** Subscribers the publication is handed to: those in the batches, minus the skipped. */
    int subscriberCount() {
        int n = 0;
        for (int i = 0; i < count; i++) {
            n += batches[i].size;
        }
        return n - skipped;
    }
}
