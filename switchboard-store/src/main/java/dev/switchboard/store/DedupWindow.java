package dev.switchboard.store;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The de-duplication window of stream appends (by message id) or queue enqueues (by dedup key): the
 * ids seen recently, each with the position or message id it got, so that a retried write returns the
 * first one's answer instead of storing twice.
 *
 * <p>Bounds: at most {@code maxEntries} ids and none older than {@code maxAgeMillis}, oldest forgotten
 * first; an id retried after it left the window is stored again. Held in memory; the stream side is
 * refilled from the stored message ids when the store opens ({@link StreamLog#recover}), so a retry
 * after a crash is still recognised; the queue side starts empty (queue values do not keep their key).
 *
 * <p>Thread confinement: the writer thread.
 */
final class DedupWindow {

    private record Entry(long value, long millis) {}

    private final int maxEntries;
    private final long maxAgeMillis;
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();

    DedupWindow(int maxEntries, long maxAgeMillis) {
        this.maxEntries = maxEntries;
        this.maxAgeMillis = maxAgeMillis;
    }

    static String key(String name, String id) {
        return name + '\u0000' + id;
    }

    /** The value remembered for {@code key}, or {@code Long.MIN_VALUE} when it is not in the window. */
    long find(String key, long nowMillis) {
        expire(nowMillis);
        Entry e = entries.get(key);
        return e == null ? Long.MIN_VALUE : e.value();
    }

    void remember(String key, long value, long nowMillis) {
        entries.put(key, new Entry(value, nowMillis));
        expire(nowMillis);
    }

    /** Refills the window at open; call in increasing {@code seenMillis} order. */
    void restore(String key, long value, long seenMillis, long nowMillis) {
        entries.put(key, new Entry(value, seenMillis));
        expire(nowMillis);
    }

    int size() {
        return entries.size();
    }

    private void expire(long nowMillis) {
        Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, Entry> e = it.next();
            if (entries.size() > maxEntries || e.getValue().millis() < nowMillis - maxAgeMillis) {
                it.remove();
            } else {
                return;
            }
        }
    }
}
