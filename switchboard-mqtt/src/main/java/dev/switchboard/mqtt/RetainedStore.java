package dev.switchboard.mqtt;

import dev.switchboard.core.routing.TopicFilter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retained messages, one per topic: read from memory, and written through to the {@link MqttStore} when
 * there is one (so they survive a restart; {@link #load} reads them back before the listener binds).
 * Bounded by {@link MqttConfig#maxRetained()}: a new topic past it is refused.
 * Thread-safe: any event loop stores and reads. Writes of one topic reach the store in call order (the
 * store orders them per topic); two loops racing on one topic may leave memory and store disagreeing
 * about which of the two came last, as two publishers racing on one topic cannot expect an order anyway.
 */
final class RetainedStore {

    private static final Logger log = LoggerFactory.getLogger(RetainedStore.class);
    private static final int FORMAT = 1;

    /** @param props its MQTT 5 properties, {@link V5Properties#encode() encoded} (a Message Expiry ends it) */
    record Retained(String topic, byte[] payload, int qos, byte[] props) {}

    private final ConcurrentHashMap<String, Retained> byTopic = new ConcurrentHashMap<>();
    private final AtomicInteger size = new AtomicInteger();
    private final int max;
    private final Sessions writes;

    RetainedStore(int max, Sessions writes) {
        this.max = max;
        this.writes = writes;
    }

    /** Reads the stored retained messages into memory (at start-up, before any client connects). */
    CompletableFuture<Integer> load() {
        MqttStore store = writes.store();
        if (store == null) {
            return CompletableFuture.completedFuture(0);
        }
        return store.loadRetained().toCompletableFuture().thenApply(states -> {
            for (byte[] state : states) {
                Retained r = decode(state);
                if (byTopic.put(r.topic(), r) == null) {
                    size.incrementAndGet();
                }
            }
            return states.size();
        });
    }

    private void persist(String topic, Retained r) {
        MqttStore store = writes.store();
        if (store != null) {
            writes.track(store.putRetained(topic, r == null ? null : encode(r))).whenComplete((v, t) -> {
                if (t != null) {
                    log.warn("MQTT retained message of topic {} could not be stored: {}", topic, t.toString());
                }
            });
        }
    }

    private static byte[] encode(Retained r) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(r.payload().length + r.topic().length() + 8);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeUTF(r.topic());
            out.writeByte(r.qos());
            out.writeInt(r.payload().length);
            out.write(r.payload());
            out.writeInt(r.props().length);
            out.write(r.props());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in memory: cannot happen
        }
        return bytes.toByteArray();
    }

    private static Retained decode(byte[] state) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(state))) {
            int format = in.readUnsignedByte();
            if (format != FORMAT) {
                throw new IllegalArgumentException("unknown retained message format " + format);
            }
            String topic = in.readUTF();
            int qos = in.readUnsignedByte();
            byte[] payload = new byte[in.readInt()];
            in.readFully(payload);
            byte[] props = new byte[in.readInt()];
            in.readFully(props);
            return new Retained(topic, payload, qos, props);
        } catch (IOException e) {
            throw new IllegalArgumentException("corrupt retained message: " + e.getMessage(), e);
        }
    }

    /**
     * Stores or, for an empty payload, clears the topic's retained message.
     *
     * @return false if refused because the store is full (a new topic past the bound)
     */
    boolean put(String topic, byte[] payload, int qos, byte[] props) {
        if (payload.length == 0) {
            if (byTopic.remove(topic) != null) {
                size.decrementAndGet();
                persist(topic, null);
            }
            return true;
        }
        Retained r = new Retained(topic, payload, qos, props);
        if (byTopic.replace(topic, r) != null) {
            persist(topic, r);
            return true;
        }
        if (size.incrementAndGet() > max) {
            size.decrementAndGet();
            return false;
        }
        if (byTopic.put(topic, r) != null) {
            size.decrementAndGet(); // a concurrent put of the same topic counted it already
        }
        persist(topic, r);
        return true;
    }

    /**
     * The retained messages whose topic the filter matches; a scan of every topic (fine at the sizes kept in
     * memory). One whose Message Expiry has passed is removed instead (5.0 3.3.2.3.3).
     */
    List<Retained> matching(TopicFilter filter) {
        List<Retained> out = new ArrayList<>();
        long now = System.currentTimeMillis();
        if (!filter.hasWildcard()) {
            Retained r = byTopic.get(filter.value());
            if (r != null) {
                keepIfLive(r, now, out);
            }
            return out;
        }
        for (Retained r : byTopic.values()) {
            if (filter.matches(r.topic())) {
                keepIfLive(r, now, out);
            }
        }
        return out;
    }

    private void keepIfLive(Retained r, long now, List<Retained> out) {
        if (r.props().length == 0 || !V5Properties.decode(r.props()).expired(now)) {
            out.add(r);
        } else if (byTopic.remove(r.topic(), r)) {
            size.decrementAndGet();
            persist(r.topic(), null);
        }
    }

    int size() {
        return size.get();
    }
}
