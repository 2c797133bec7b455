package dev.switchboard.mqtt;

import dev.switchboard.core.spi.QueueStore;
import dev.switchboard.core.spi.SessionStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Where the gateway keeps what must outlive a connection and a restart: persistent sessions, the
 * QoS 1/2 publications queued for them, and retained messages. States and publications are opaque
 * bytes the gateway encodes; an implementation only stores them.
 *
 * <p>{@link #on(SessionStore, QueueStore)} builds one on the fabric's storage SPIs, which every storage
 * plane provides (session states and retained messages in the session store, queued publications in one
 * reliable queue per client), so MQTT sessions live wherever the node's other durable state lives.
 *
 * <p>Threading: safe from any thread, never blocks; stages complete on the store's threads. Operations
 * on one client id, and on one retained topic, take effect in call order.
 */
public interface MqttStore {

    /** Every stored session state that has not expired, in no particular order. */
    CompletionStage<List<byte[]>> loadSessions();

    /** Stores (replaces) the state of {@code clientId}; it expires {@code ttl} after this save. */
    CompletionStage<Void> saveSession(String clientId, byte[] state, Duration ttl);

    /** Removes the state of {@code clientId} (its queue is {@link #purge}d separately). */
    CompletionStage<Void> removeSession(String clientId);

    /** Appends a publication to the queue of {@code clientId}; completes with its id once stored. */
    CompletionStage<Long> enqueue(String clientId, byte[] publication);

    /**
     * Takes up to {@code max} queued publications, oldest first, hidden from later leases until
     * {@link #ack}ed or {@link #release}d (and after a restart, when every unacked one is deliverable again).
     */
    CompletionStage<List<Queued>> lease(String clientId, int max);

    /** Removes a delivered publication for good. */
    CompletionStage<Void> ack(Queued publication);

    /** Makes a leased publication deliverable again (its {@link Queued#attempt} grows). */
    CompletionStage<Void> release(Queued publication);

    /** Publications queued for {@code clientId}, leased or not. */
    CompletionStage<Long> depth(String clientId);

    /** Removes every queued publication of {@code clientId}; completes with how many. */
    CompletionStage<Long> purge(String clientId);

    /** Every retained message state. */
    CompletionStage<List<byte[]>> loadRetained();

    /** Stores the retained message of {@code topic}, or removes it when {@code state} is null. */
    CompletionStage<Void> putRetained(String topic, byte[] state);

    /**
     * A leased publication.
     *
     * @param id      the store's id, stable across leases and restarts
     * @param attempt how many times it was leased, from 1
     * @param handle  the implementation's handle for {@link #ack} / {@link #release}
     */
    record Queued(long id, int attempt, byte[] publication, Object handle) {}

    /** On the fabric's storage SPIs (see the class comment); neither store is closed by it. */
    static MqttStore on(SessionStore sessions, QueueStore queues) {
        return new SpiMqttStore(sessions, queues);
    }
}
