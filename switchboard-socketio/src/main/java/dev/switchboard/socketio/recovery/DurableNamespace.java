package dev.switchboard.socketio.recovery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.core.spi.StreamStore;
import dev.switchboard.core.spi.StreamStore.ReadResult;
import dev.switchboard.core.spi.StreamStore.StoredMessage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable recovery backend of one namespace (see {@link DurableState} for the offsets' design).
 * Appends are made on the publishing thread under the shared lock (the store call only queues);
 * restores run on the shared I/O thread, waiting for store reads there.
 */
final class DurableNamespace implements RecoveryBackend {

    private static final Logger log = LoggerFactory.getLogger(DurableNamespace.class);
    private static final CompletionStage<Void> DONE = CompletableFuture.completedFuture(null);
    /** Events read per store call while replaying. */
    private static final int PAGE = 500;
    /** Bound of one store read while restoring; a store that does not answer fails the restore. */
    private static final long READ_TIMEOUT_S = 30;

    private final DurableState state;
    private final String namespace;
    private final StreamStore store;

    DurableNamespace(DurableState state, String namespace) {
        this.state = state;
        this.namespace = namespace;
        this.store = state.config.store();
    }

    private boolean durable(String room) {
        return state.config.durable().test(namespace, room);
    }

    private String stream(String room) {
        return state.config.streamName().apply(namespace, room);
    }

    @Override
    public CompletionStage<Void> append(ArrayNode data, Set<String> rooms, Set<String> except) {
        List<String> durableRooms = new ArrayList<>(rooms.size());
        for (String room : rooms) {
            if (durable(room)) {
                durableRooms.add(room);
            }
        }
        ObjectNode envelope = null;
        if (!durableRooms.isEmpty()) {
            envelope = state.mapper.createObjectNode();
            envelope.set("d", data.deepCopy());
            ArrayNode r = envelope.putArray("r");
            rooms.forEach(r::add);
            ArrayNode x = envelope.putArray("x");
            except.forEach(x::add);
        }
        List<CompletableFuture<Long>> stored = new ArrayList<>(durableRooms.size());
        synchronized (state.appendLock) {
            long g = state.nextSequence();
            for (String room : durableRooms) {
                String stream = stream(room);
                envelope.put("g", g);
                envelope.put("pg", state.swapLast(stream, g));
                byte[] bytes;
                try {
                    bytes = state.mapper.writeValueAsBytes(envelope);
                } catch (IOException e) {
                    return CompletableFuture.failedFuture(e);
                }
                // Only queues the write: the store's writer keeps call order, so g grows with the offset.
                stored.add(store.append(stream, bytes).toCompletableFuture());
            }
            data.add(Long.toString(g));
        }
        if (stored.isEmpty()) {
            return DONE;
        }
        return CompletableFuture.allOf(stored.toArray(CompletableFuture[]::new));
    }

    @Override
    public void persist(String sid, String pid, Set<String> rooms, Map<String, Object> data) {
        state.save(sid, pid, rooms, data);
        state.dropJoins(pid); // in the file now; reloaded by a restore
    }

    @Override
    public void track(String sid, String pid, Set<String> rooms, Map<String, Object> data) {
        state.save(sid, pid, rooms, data);
    }

    @Override
    public void joining(String pid, java.util.Collection<String> rooms) {
        for (String room : rooms) {
            if (durable(room)) {
                state.joining(pid, room);
            }
        }
    }

    @Override
    public void forget(String pid) {
        state.dropJoins(pid);
        state.forget(pid);
    }

    @Override
    public CompletionStage<Outcome> restore(String pid, String offset) {
        CompletableFuture<Outcome> result = new CompletableFuture<>();
        try {
            state.io.execute(() -> {
                try {
                    result.complete(restoreNow(pid, offset));
                } catch (RuntimeException e) {
                    log.warn("namespace {}: restore failed: {}", namespace, e.toString());
                    result.complete(Outcome.none());
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            result.complete(Outcome.none());
        }
        return result;
    }

    /** On the I/O thread. */
    private Outcome restoreNow(String pid, String offset) {
        if (!DurableState.VALID_PID.matcher(pid).matches()) {
            return Outcome.none();
        }
        long seen;
        try {
            seen = Long.parseLong(offset);
        } catch (NumberFormatException e) {
            return Outcome.none();
        }
        JsonNode session = state.load(pid);
        if (session == null) {
            return Outcome.none();
        }
        state.delete(pid); // a session is restored once
        Set<String> rooms = new HashSet<>();
        session.path("rooms").forEach(r -> rooms.add(r.asText()));
        Map<String, Long> joined = new java.util.HashMap<>();
        session.path("joined").fields().forEachRemaining(e -> joined.put(e.getKey(), e.getValue().asLong()));
        TreeMap<Long, ArrayNode> missed = new TreeMap<>();
        List<Map<String, Object>> truncated = new ArrayList<>();
        int budget = state.config.maxReplay();
        for (String room : new java.util.TreeSet<>(rooms)) {
            if (!durable(room)) {
                continue;
            }
            budget = replayRoom(room, seen, joined.getOrDefault(room, -1L), rooms, missed, truncated, budget);
        }
        if (!truncated.isEmpty()) {
            Map<String, Object> notice = new LinkedHashMap<>();
            notice.put("namespace", namespace);
            notice.put("offset", offset);
            notice.put("rooms", truncated);
            log.info("namespace {}: session {} not recovered, history truncated in {}", namespace,
                    session.path("sid").asText(), truncated.stream().map(t -> t.get("room")).toList());
            return new Outcome(null, notice);
        }
        state.restoreJoins(pid, joined);
        @SuppressWarnings("unchecked")
        Map<String, Object> data = state.mapper.convertValue(session.path("data"), Map.class);
        SessionStore.Session s = new SessionStore.Session(session.path("sid").asText(), pid, Set.copyOf(rooms),
                data == null ? Map.of() : data, session.path("savedAt").asLong());
        return Outcome.of(new SessionStore.Restored(s, List.copyOf(missed.values())));
    }

    /** Adds the room's events after {@code seen} to {@code missed}; records a truncation. Returns the budget left. */
    private int replayRoom(String room, long seen, long joinedAt, Set<String> sessionRooms, TreeMap<Long, ArrayNode> missed,
                           List<Map<String, Object>> truncated, int budget) {
        String stream = stream(room);
        ReadResult head = read(stream, 0, 1);
        if (head.messages().isEmpty()) {
            if (head.nextOffset() > 0) {
                // Everything was dropped by retention: whether the client had seen it is unknown, so say so.
                truncated.add(truncation(room, head.firstOffset(), null));
            }
            return budget;
        }
        StoredMessage first = head.messages().get(0);
        JsonNode firstEnv = parse(first);
        long firstG = firstEnv.path("g").asLong();
        if (firstG > seen && head.firstOffset() > 0) {
            long pg = firstEnv.path("pg").asLong(-1);
            if (pg < 0 || pg > seen) {
                truncated.add(truncation(room, first.offset(), Long.toString(firstG)));
                return budget;
            }
        }
        // Binary search: the lowest offset whose g is above what the client has seen.
        long lo = first.offset();
        long hi = head.nextOffset();
        if (firstG > seen) {
            hi = lo;
        }
        while (lo < hi) {
            long mid = (lo + hi) >>> 1;
            ReadResult r = read(stream, mid, 1);
            if (r.messages().isEmpty()) {
                hi = mid;
                break;
            }
            StoredMessage m = r.messages().get(0);
            if (parse(m).path("g").asLong() > seen) {
                hi = Math.min(mid, m.offset());
            } else {
                lo = Math.max(mid, m.offset()) + 1;
            }
        }
        long from = lo;
        while (true) {
            ReadResult page = read(stream, from, PAGE);
            if (page.truncated() && from < page.firstOffset()) {
                // Retention ran during the restore.
                truncated.add(truncation(room, page.firstOffset(), null));
                return budget;
            }
            for (StoredMessage m : page.messages()) {
                JsonNode env = parse(m);
                long g = env.path("g").asLong();
                // Before joinedAt: sent to the room before this session joined it (not for this client).
                if (g <= seen || g < joinedAt || missed.containsKey(g) || excluded(env, sessionRooms)) {
                    continue;
                }
                if (budget-- <= 0) {
                    truncated.add(truncation(room, m.offset(), Long.toString(g)));
                    return 0;
                }
                ArrayNode d = ((ArrayNode) env.path("d")).deepCopy();
                d.add(Long.toString(g));
                missed.put(g, d);
            }
            if (page.messages().isEmpty() || page.nextOffset() <= from) {
                return budget;
            }
            long after = page.messages().get(page.messages().size() - 1).offset() + 1;
            if (after >= page.nextOffset()) {
                return budget;
            }
            from = after;
        }
    }

    private static boolean excluded(JsonNode env, Set<String> sessionRooms) {
        for (JsonNode x : env.path("x")) {
            if (sessionRooms.contains(x.asText())) {
                return true;
            }
        }
        return false;
    }

    private Map<String, Object> truncation(String room, long firstOffset, String firstRecoveryOffset) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("room", room);
        t.put("firstOffset", firstOffset);
        if (firstRecoveryOffset != null) {
            t.put("firstRecoveryOffset", firstRecoveryOffset);
        }
        return t;
    }

    private JsonNode parse(StoredMessage m) {
        try {
            return state.mapper.readTree(m.payload());
        } catch (IOException e) {
            throw new IllegalStateException("stream " + m.stream() + " offset " + m.offset() + " is not a recovery envelope", e);
        }
    }

    private ReadResult read(String stream, long from, int max) {
        try {
            return store.read(stream, from, max).toCompletableFuture().get(READ_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("reading " + stream + " failed: " + e, e);
        }
    }
}
