package dev.switchboard.mqtt;

import dev.switchboard.core.routing.TopicFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Retained messages, one per topic, in memory (they do not survive a restart yet: the store SPI that
 * will hold them is moving). Bounded by {@link MqttConfig#maxRetained()}: a new topic past it is refused.
 * Thread-safe: any event loop stores and reads.
 */
final class RetainedStore {

    record Retained(String topic, byte[] payload, int qos) {}

    private final ConcurrentHashMap<String, Retained> byTopic = new ConcurrentHashMap<>();
    private final AtomicInteger size = new AtomicInteger();
    private final int max;

    RetainedStore(int max) {
        this.max = max;
    }

    /**
     * Stores or, for an empty payload, clears the topic's retained message.
     *
     * @return false if refused because the store is full (a new topic past the bound)
     */
    boolean put(String topic, byte[] payload, int qos) {
        if (payload.length == 0) {
            if (byTopic.remove(topic) != null) {
                size.decrementAndGet();
            }
            return true;
        }
        Retained r = new Retained(topic, payload, qos);
        if (byTopic.replace(topic, r) != null) {
            return true;
        }
        if (size.incrementAndGet() > max) {
            size.decrementAndGet();
            return false;
        }
        if (byTopic.put(topic, r) != null) {
            size.decrementAndGet(); // a concurrent put of the same topic counted it already
        }
        return true;
    }

    /** The retained messages whose topic the filter matches; a scan of every topic (fine at the sizes kept in memory). */
    List<Retained> matching(TopicFilter filter) {
        List<Retained> out = new ArrayList<>();
        if (!filter.hasWildcard()) {
            Retained r = byTopic.get(filter.value());
            if (r != null) {
                out.add(r);
            }
            return out;
        }
        for (Retained r : byTopic.values()) {
            if (filter.matches(r.topic())) {
                out.add(r);
            }
        }
        return out;
    }

    int size() {
        return size.get();
    }
}
