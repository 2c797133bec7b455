package dev.switchboard.rabbitmq.bridge;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Message ids accepted within the last {@code window}, at most {@code maxIds} (the oldest go first): how a
 * redelivered message that was already accepted is recognised. Guarded by {@code this}; each call is
 * O(1) amortised (expired ids are dropped from the old end as new ones come in). Times in milliseconds.
 */
final class IdWindow {

    private final long windowMillis;
    private final int maxIds;
    private final LinkedHashMap<String, Long> acceptedAt = new LinkedHashMap<>();

    IdWindow(Duration window, int maxIds) {
        this.windowMillis = window.toMillis();
        this.maxIds = maxIds;
    }

    synchronized boolean contains(String id, long nowMillis) {
        Long at = acceptedAt.get(id);
        return at != null && nowMillis - at <= windowMillis;
    }

    synchronized void add(String id, long nowMillis) {
        if (maxIds == 0) {
            return;
        }
        acceptedAt.remove(id);
        acceptedAt.put(id, nowMillis);
        Iterator<Map.Entry<String, Long>> it = acceptedAt.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, Long> oldest = it.next();
            if (acceptedAt.size() > maxIds || nowMillis - oldest.getValue() > windowMillis) {
                it.remove();
            } else {
                break;
            }
        }
    }

    synchronized int size() {
        return acceptedAt.size();
    }
}
