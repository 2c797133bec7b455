package dev.switchboard.mqtt;

import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
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
 * <p>Ownership: a queued {@link Pending} owns its payload (a retained duplicate) until it is sent or
 * {@link #clear()}ed.
 */
final class Outbound {

    /** A publication waiting for a packet id. */
    record Pending(String topic, ByteBuf payload, int qos, boolean retain) {}

    private final int window;
    private final int maxQueued;
    /** packet id -> true once PUBREC was received (QoS 2, PUBREL sent). */
    private final Map<Integer, Boolean> inFlight = new LinkedHashMap<>();
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private int nextId = 1;

    Outbound(int window, int maxQueued) {
        this.window = window;
        this.maxQueued = maxQueued;
    }

    boolean hasRoom() {
        return inFlight.size() < window;
    }

    /** Takes a packet id for a new QoS 1/2 publication; call only when {@link #hasRoom()}. */
    int acquire() {
        for (;;) {
            int id = nextId;
            nextId = nextId == 65535 ? 1 : nextId + 1;
            if (!inFlight.containsKey(id)) {
                inFlight.put(id, Boolean.FALSE);
                return id;
            }
        }
    }

    /** Queues a publication behind the full window; false (nothing kept) when the queue is full. */
    boolean enqueue(Pending p) {
        if (queue.size() >= maxQueued) {
            return false;
        }
        queue.add(p);
        return true;
    }

    /** The next queued publication if the window has room, else null. */
    Pending nextQueued() {
        return hasRoom() ? queue.poll() : null;
    }

    /** PUBACK (QoS 1) or PUBCOMP (QoS 2): frees the id; false if it was not in flight. */
    boolean complete(int id) {
        return inFlight.remove(id) != null;
    }

    /** PUBREC: marks the id released; false if it was not in flight. */
    boolean received(int id) {
        if (!inFlight.containsKey(id)) {
            return false;
        }
        inFlight.put(id, Boolean.TRUE);
        return true;
    }

    int inFlight() {
        return inFlight.size();
    }

    /** Releases what the queue owns; the connection is gone. */
    void clear() {
        Pending p;
        while ((p = queue.poll()) != null) {
            p.payload().release();
        }
        inFlight.clear();
    }
}
