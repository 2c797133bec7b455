package dev.switchboard.mqtt;

import dev.switchboard.core.spi.DeliveryHandle;
import dev.switchboard.core.spi.QueueStore;
import dev.switchboard.core.spi.SessionStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@link MqttStore} on the fabric's {@link SessionStore} and {@link QueueStore}.
 *
 * <p>Layout: a session state under {@code mqtt-s-<h>} and a retained message under {@code mqtt-r-<h>},
 * {@code h} being the base64url SHA-256 of the client id or topic (session ids are short file-safe names;
 * the state itself carries the real id or topic). The session store cannot list, so two index entries
 * ({@code mqtt-sessions}, {@code mqtt-retained}) hold the ids and topics; each is rewritten when an id or
 * topic appears or goes (not when a state changes), under {@link #indexLock} so that saves reach the
 * session store in the order of the changes. Queued publications: the reliable queue {@code mqtt/<client id>}.
 *
 * <p>Costs: an index rewrite is proportional to the number of sessions (or retained topics); fine for
 * the tens of thousands kept on one node, the reason a dedicated store would index by prefix instead.
 * Purging leases and acks in batches; dead letters (publications released past the queue store's delivery
 * limit) stay in the queue store's dead-letter list.
 */
final class SpiMqttStore implements MqttStore {

    /** Index entries never expire on their own: they are rewritten when they change. */
    private static final Duration FOREVER = Duration.ofDays(365L * 100);
    /**
     * A lease lasts while the client holds the publication (a connection releases its leases when it ends);
     * an hour, so that a store with a small maximum still takes it. A client holding one unacknowledged
     * longer may get it again, as a DUP.
     */
    private static final Duration VISIBILITY = Duration.ofHours(1);
    private static final int PURGE_BATCH = 500;
    private static final String SESSION_INDEX = "mqtt-sessions";
    private static final String RETAINED_INDEX = "mqtt-retained";

    private final SessionStore sessions;
    private final QueueStore queues;
    private final Object indexLock = new Object();
    private Set<String> sessionIds;
    private Set<String> retainedTopics;

    SpiMqttStore(SessionStore sessions, QueueStore queues) {
        this.sessions = sessions;
        this.queues = queues;
    }

    // ------------------------------------------------------------------ sessions

    @Override
    public CompletionStage<List<byte[]>> loadSessions() {
        return loadIndex(SESSION_INDEX).thenCompose(ids -> {
            synchronized (indexLock) {
                sessionIds = new LinkedHashSet<>(ids);
            }
            return loadAll(ids, "mqtt-s-", SESSION_INDEX);
        });
    }

    @Override
    public CompletionStage<Void> saveSession(String clientId, byte[] state, Duration ttl) {
        synchronized (indexLock) {
            CompletionStage<Void> index = CompletableFuture.completedFuture(null);
            if (sessionIds == null) {
                sessionIds = new LinkedHashSet<>();
            }
            if (sessionIds.add(clientId)) {
                index = sessions.save(SESSION_INDEX, encodeIndex(sessionIds), FOREVER);
            }
            CompletionStage<Void> saved = sessions.save(key("mqtt-s-", clientId), state, ttl);
            return index.thenCombine(saved, (a, b) -> null);
        }
    }

    @Override
    public CompletionStage<Void> removeSession(String clientId) {
        synchronized (indexLock) {
            CompletionStage<Void> removed = sessions.remove(key("mqtt-s-", clientId));
            if (sessionIds != null && sessionIds.remove(clientId)) {
                return removed.thenCombine(sessions.save(SESSION_INDEX, encodeIndex(sessionIds), FOREVER), (a, b) -> null);
            }
            return removed;
        }
    }

    // ------------------------------------------------------------------ queues

    @Override
    public CompletionStage<Long> enqueue(String clientId, byte[] publication) {
        return queues.enqueue(queue(clientId), UUID.randomUUID().toString(), publication);
    }

    @Override
    public CompletionStage<List<Queued>> lease(String clientId, int max) {
        return queues.lease(queue(clientId), max, VISIBILITY).thenApply(list -> {
            List<Queued> out = new ArrayList<>(list.size());
            for (QueueStore.QueuedMessage m : list) {
                out.add(new Queued(m.id(), m.attempt(), m.payload(), m.delivery()));
            }
            return out;
        });
    }

    @Override
    public CompletionStage<Void> ack(Queued publication) {
        return queues.ack((DeliveryHandle) publication.handle());
    }

    @Override
    public CompletionStage<Void> release(Queued publication) {
        return queues.release((DeliveryHandle) publication.handle());
    }

    @Override
    public CompletionStage<Long> depth(String clientId) {
        return queues.depth(queue(clientId));
    }

    @Override
    public CompletionStage<Long> purge(String clientId) {
        return purgeFrom(queue(clientId), 0L);
    }

    private CompletionStage<Long> purgeFrom(String queue, long done) {
        return queues.lease(queue, PURGE_BATCH, VISIBILITY).thenCompose(batch -> {
            if (batch.isEmpty()) {
                return CompletableFuture.completedFuture(done);
            }
            CompletableFuture<?>[] acks = batch.stream()
                    .map(m -> queues.ack(m.delivery()).toCompletableFuture()).toArray(CompletableFuture[]::new);
            return CompletableFuture.allOf(acks).thenCompose(v -> purgeFrom(queue, done + batch.size()));
        });
    }

    // ------------------------------------------------------------------ retained

    @Override
    public CompletionStage<List<byte[]>> loadRetained() {
        return loadIndex(RETAINED_INDEX).thenCompose(topics -> {
            synchronized (indexLock) {
                retainedTopics = new LinkedHashSet<>(topics);
            }
            return loadAll(topics, "mqtt-r-", RETAINED_INDEX);
        });
    }

    @Override
    public CompletionStage<Void> putRetained(String topic, byte[] state) {
        synchronized (indexLock) {
            if (retainedTopics == null) {
                retainedTopics = new LinkedHashSet<>();
            }
            String k = key("mqtt-r-", topic);
            if (state == null) {
                CompletionStage<Void> removed = sessions.remove(k);
                if (retainedTopics.remove(topic)) {
                    return removed.thenCombine(sessions.save(RETAINED_INDEX, encodeIndex(retainedTopics), FOREVER),
                            (a, b) -> null);
                }
                return removed;
            }
            CompletionStage<Void> index = CompletableFuture.completedFuture(null);
            if (retainedTopics.add(topic)) {
                index = sessions.save(RETAINED_INDEX, encodeIndex(retainedTopics), FOREVER);
            }
            return index.thenCombine(sessions.save(k, state, FOREVER), (a, b) -> null);
        }
    }

    // ------------------------------------------------------------------ helpers

    private CompletionStage<List<String>> loadIndex(String indexKey) {
        return sessions.load(indexKey).thenApply(o -> o.map(SpiMqttStore::decodeIndex).orElseGet(List::of));
    }

    /** Loads every entry of an index; names whose entry is gone (expired) are dropped from the index. */
    private CompletionStage<List<byte[]>> loadAll(List<String> names, String prefix, String indexKey) {
        List<CompletableFuture<Optional<byte[]>>> loads = new ArrayList<>();
        for (String n : names) {
            loads.add(sessions.load(key(prefix, n)).toCompletableFuture());
        }
        return CompletableFuture.allOf(loads.toArray(CompletableFuture[]::new)).thenCompose(v -> {
            List<byte[]> out = new ArrayList<>();
            List<String> gone = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                Optional<byte[]> state = loads.get(i).join();
                if (state.isPresent()) {
                    out.add(state.get());
                } else {
                    gone.add(names.get(i));
                }
            }
            if (gone.isEmpty()) {
                return CompletableFuture.completedFuture(out);
            }
            synchronized (indexLock) {
                Set<String> index = indexKey.equals(SESSION_INDEX) ? sessionIds : retainedTopics;
                gone.forEach(index::remove);
                return sessions.save(indexKey, encodeIndex(index), FOREVER).thenApply(x -> out);
            }
        });
    }

    private static String queue(String clientId) {
        return "mqtt/" + clientId;
    }

    /** A session-store id ({@code [A-Za-z0-9_-]}, at most 64) for any client id or topic. */
    static String key(String prefix, String name) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(h);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private static byte[] encodeIndex(Set<String> names) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(names.size());
            for (String n : names) {
                byte[] b = n.getBytes(StandardCharsets.UTF_8);
                out.writeInt(b.length);
                out.write(b);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in memory: cannot happen
        }
        return bytes.toByteArray();
    }

    private static List<String> decodeIndex(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            int n = in.readInt();
            List<String> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                byte[] b = new byte[in.readInt()];
                in.readFully(b);
                out.add(new String(b, StandardCharsets.UTF_8));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt MQTT index entry: " + e.getMessage(), e);
        }
    }
}
