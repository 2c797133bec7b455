package dev.switchboard.core.routing;

import io.netty.util.concurrent.EventExecutor;

/**
 * Subscribers of one event loop for one publication; owned by the publishing thread until handed
 * off. Its array may be a {@link Snapshot}'s, shared with other publications: nobody writes into
 * the array once the batch is resolved.
 */
final class Batch {
    final EventExecutor loop;
    Subscriber[] subscribers;
    int size;
    /** Index into the publication's encodings per subscriber; null while there is only one format. */
    byte[] format;

    Batch(EventExecutor loop, int capacity) {
        this.loop = loop;
        this.subscribers = new Subscriber[Math.max(capacity, 1)];
    }

    /** Over a snapshot's array, read-only. */
    Batch(EventExecutor loop, Subscriber[] shared) {
        this.loop = loop;
        this.subscribers = shared;
        this.size = shared.length;
    }

    void add(Subscriber s) {
        if (size == subscribers.length) {
            subscribers = java.util.Arrays.copyOf(subscribers, size + (size >> 1) + 1);
        }
        subscribers[size++] = s;
    }
}
