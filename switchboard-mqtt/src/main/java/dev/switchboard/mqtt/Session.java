package dev.switchboard.mqtt;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The MQTT session of one client id (MQTT 5.0 4.1): its subscriptions and the packet-id state that must
 * outlive a connection when the session is persistent (Session Expiry Interval above 0, or 3.1.1
 * CleanSession 0).
 *
 * <p>Ownership: the plain fields belong to the session's current <em>owner</em>, a connection (on its
 * event loop) or, while no client is connected, an {@link OfflineSubscriber} (on its loop). Ownership
 * passes under {@link Sessions}' lock; the new owner touches the fields only once {@link #handedOver} of the
 * previous owner has completed, which happens after the previous owner's last write to them (so the
 * future's completion orders the accesses).
 *
 * <p>States: online (a connection), offline (an offline subscriber queuing to the store), ended (removed
 * from the registry: clean start, expiry, or a non-persistent session's connection ended).
 */
final class Session {

    private static final int FORMAT = 1;

    final String clientId;
    /** Filter → options; insertion order is subscription order. */
    final Map<String, Subscriptions.Sub> subs = new LinkedHashMap<>();
    /** Incoming QoS 2 packet ids received and not yet released by the client's PUBREL. */
    final Set<Integer> awaitingRelease = new HashSet<>();
    /** Outgoing QoS 2 packet ids the client acknowledged with PUBREC: PUBREL is due (again after a reconnect). */
    final Set<Integer> pendingRelease = new LinkedHashSet<>();
    /** Store id → packet id of queued publications that were in flight when the last connection ended. */
    final Map<Long, Integer> packetIds = new HashMap<>();
    /** Seconds; 0 = the session ends with its connection. Capped by the server's maximum. */
    volatile long expirySeconds;
    /** When the last connection ended (epoch ms); 0 while a connection is (or was, at a crash) attached. */
    long disconnectedAt;

    /** Publications in the store's queue for this client (leased or not); the offline bound counts them. */
    final AtomicLong stored = new AtomicLong();

    // For the admin view, written by the owner, read from any thread.
    volatile String protocol = "";
    volatile String address = "";
    volatile int subscriptionCount;

    // Guarded by the Sessions lock.
    volatile MqttConnection connection;
    volatile OfflineSubscriber offline;
    /** Completed by the current owner once it no longer touches the session (see the class comment). */
    CompletableFuture<Void> handedOver = CompletableFuture.completedFuture(null);
    boolean ended;
    /** Whether a state of this client id may be in the store (saved once, or restored from it). */
    volatile boolean inStore;

    Session(String clientId) {
        this.clientId = clientId;
    }

    boolean persistent() {
        return expirySeconds > 0;
    }

    /** Whether any subscription carries a v5 Subscription Identifier (deliveries then look them up). */
    boolean hasSubscriptionIds() {
        for (Subscriptions.Sub s : subs.values()) {
            if (s.subscriptionId() != 0) {
                return true;
            }
        }
        return false;
    }

    /** The state as stored; call on the owner's thread. */
    byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + subs.size() * 32);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeUTF(clientId);
            out.writeLong(expirySeconds);
            out.writeLong(disconnectedAt);
            out.writeInt(subs.size());
            for (Subscriptions.Sub s : subs.values()) {
                out.writeUTF(s.filter().value());
                out.writeByte(s.qos());
                out.writeBoolean(s.noLocal());
                out.writeBoolean(s.retainAsPublished());
                out.writeInt(s.subscriptionId());
            }
            writeIds(out, awaitingRelease);
            writeIds(out, pendingRelease);
            out.writeInt(packetIds.size());
            for (Map.Entry<Long, Integer> e : packetIds.entrySet()) {
                out.writeLong(e.getKey());
                out.writeShort(e.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in memory: cannot happen
        }
        return bytes.toByteArray();
    }

    /** A session restored from its stored state; subscriptions whose filter no longer parses are skipped. */
    static Session decode(byte[] state) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(state))) {
            int format = in.readUnsignedByte();
            if (format != FORMAT) {
                throw new IllegalArgumentException("unknown MQTT session format " + format);
            }
            Session s = new Session(in.readUTF());
            s.expirySeconds = in.readLong();
            s.disconnectedAt = in.readLong();
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                String f = in.readUTF();
                int qos = in.readUnsignedByte();
                boolean nl = in.readBoolean();
                boolean rap = in.readBoolean();
                int subscriptionId = in.readInt();
                s.subs.put(f, Subscriptions.Sub.of(f, qos, nl, rap, subscriptionId));
            }
            readIds(in, s.awaitingRelease);
            readIds(in, s.pendingRelease);
            int m = in.readInt();
            for (int i = 0; i < m; i++) {
                s.packetIds.put(in.readLong(), in.readUnsignedShort());
            }
            return s;
        } catch (IOException e) {
            throw new IllegalArgumentException("corrupt MQTT session state: " + e.getMessage(), e);
        }
    }

    private static void writeIds(DataOutputStream out, Set<Integer> ids) throws IOException {
        out.writeInt(ids.size());
        for (int id : ids) {
            out.writeShort(id);
        }
    }

    private static void readIds(DataInputStream in, Set<Integer> into) throws IOException {
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            into.add(in.readUnsignedShort());
        }
    }

    // ------------------------------------------------------------------ stored publications

    /**
     * A publication as queued for a client: QoS, retain, the packet id it was sent with (0 = never sent), its
     * MQTT 5 properties ({@link V5Properties#encode() encoded}).
     */
    record Publication(String topic, byte[] payload, int qos, boolean retain, int packetId, byte[] props) {

        byte[] encode() {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(payload.length + topic.length() + 16);
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeByte(FORMAT);
                out.writeByte(qos | (retain ? 4 : 0));
                out.writeShort(packetId);
                out.writeUTF(topic);
                out.writeInt(payload.length);
                out.write(payload);
                out.writeInt(props.length);
                out.write(props);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return bytes.toByteArray();
        }

        static Publication decode(byte[] b) {
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(b))) {
                int format = in.readUnsignedByte();
                if (format != FORMAT) {
                    throw new IllegalArgumentException("unknown MQTT publication format " + format);
                }
                int flags = in.readUnsignedByte();
                int packetId = in.readUnsignedShort();
                String topic = in.readUTF();
                byte[] payload = new byte[in.readInt()];
                in.readFully(payload);
                byte[] props = new byte[in.readInt()];
                in.readFully(props);
                return new Publication(topic, payload, flags & 3, (flags & 4) != 0, packetId, props);
            } catch (IOException e) {
                throw new IllegalArgumentException("corrupt MQTT publication: " + e.getMessage(), e);
            }
        }
    }
}
