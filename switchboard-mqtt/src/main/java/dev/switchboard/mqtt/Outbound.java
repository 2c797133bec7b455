package dev.switchboard.mqtt;

import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * QoS 1 and 2 publications sent to one client and not yet acknowledged, plus those waiting for room in
 * the window. Confined to the connection's event loop.
 *
 * <p>States of a packet id: in flight after PUBLISH; for QoS 2, {@code released} after the client's
 * PUBREC (we sent PUBREL); free after PUBACK or PUBCOMP. The window holds at most {@code window}
 * ids (the smaller of the server's bound and the client's Receive Maximum); the queue at most
 * {@code maxQueued} publications, past which the caller disconnects the client as too slow.
 *
 * <p>For a persistent session an in-flight entry keeps what is needed to queue it again when the
 * connection ends: its payload (a retained reference, released on acknowledgement) or, for a publication
 * leased from the store, its store entry. Ownership: a queued {@link Pending} and a kept in-flight payload
 * are owned here until sent, acknowledged or {@link #drainAll drained}.
 */
final class Outbound {

    /**
     * A publication to send or in flight.
     *
     * @param payload owned by whoever holds the record; null once handed to the encoder for good
     * @param props   its MQTT 5 properties, {@link V5Properties#encode() encoded}
     * @param stored  the store entry it was leased from, or null when it came live from the fabric
     */
    record Pending(String topic, ByteBuf payload, int qos, boolean retain, byte[] props, MqttStore.Queued stored) {}

    /** One in-flight packet id. */
    static final class InFlight {
        Pending publication;
        boolean released;

        InFlight(Pending publication) {
            this.publication = publication;
        }
    }

    private final int window;
    private final int maxQueued;
    private final Map<Integer, InFlight> inFlight = new LinkedHashMap<>();
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private int nextId = 1;

    Outbound(int window, int maxQueued) {
        this.window = window;
        this.maxQueued = maxQueued;
    }

    boolean hasRoom() {
        return inFlight.size() < window;
    }

    int room() {
        return Math.max(0, window - inFlight.size());
    }

    /**
     * Takes a packet id for a new QoS 1/2 publication; call only when {@link #hasRoom()}. {@code kept} is
     * what a persistent session remembers of it (null for none).
     */
    int acquire(Pending kept) {
        for (;;) {
            int id = nextId;
            nextId = nextId == 65535 ? 1 : nextId + 1;
            if (!inFlight.containsKey(id)) {
                inFlight.put(id, new InFlight(kept));
                return id;
            }
        }
    }

    /** Takes a given packet id (a redelivery keeps its id, MQTT 5.0 4.4); false when it is in use. */
    boolean acquire(int id, Pending kept) {
        if (inFlight.containsKey(id)) {
            return false;
        }
        inFlight.put(id, new InFlight(kept));
        return true;
    }

    /** Reserves {@code id} as released (PUBREL due) after a reconnect. */
    void reserveReleased(int id) {
        InFlight f = new InFlight(null);
        f.released = true;
        inFlight.put(id, f);
    }

    /** Queues a publication behind the full window; false (nothing kept) when the queue is full. */
    boolean enqueue(Pending p) {
        if (queue.size() >= maxQueued) {
            return false;
        }
        queue.add(p);
        return true;
    }

    boolean queueEmpty() {
        return queue.isEmpty();
    }

    /** The next queued publication if the window has room, else null. */
    Pending nextQueued() {
        return hasRoom() ? queue.poll() : null;
    }

    /** PUBACK (QoS 1) or PUBCOMP (QoS 2): frees the id; null if it was not in flight. */
    InFlight complete(int id) {
        InFlight f = inFlight.remove(id);
        if (f != null && f.publication != null && f.publication.payload() != null) {
            f.publication.payload().release();
        }
        return f;
    }

    /** PUBREC: marks the id released and forgets its payload; null if it was not in flight. */
    InFlight received(int id) {
        InFlight f = inFlight.get(id);
        if (f == null) {
            return null;
        }
        f.released = true;
        return f;
    }

    int inFlight() {
        return inFlight.size();
    }

    /** A snapshot of the in-flight entries by packet id, in send order (for a persistent session's hand-over). */
    List<Map.Entry<Integer, InFlight>> inFlightEntries() {
        return new ArrayList<>(inFlight.entrySet());
    }

    /** Removes and returns the queued publications in order; the caller owns them. */
    List<Pending> drainQueue() {
        List<Pending> out = new ArrayList<>(queue);
        queue.clear();
        return out;
    }

    /** Releases what is owned here; the connection is gone and nothing is kept. */
    void clear() {
        Pending p;
        while ((p = queue.poll()) != null) {
            p.payload().release();
        }
        for (InFlight f : inFlight.values()) {
            if (f.publication != null && f.publication.payload() != null) {
                f.publication.payload().release();
            }
        }
        inFlight.clear();
    }
}
