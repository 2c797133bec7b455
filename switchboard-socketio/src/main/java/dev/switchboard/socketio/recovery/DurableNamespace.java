package dev.switchboard.socketio.recovery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.core.message.MessageId;
import dev.switchboard.core.spi.StoreException;
import dev.switchboard.core.spi.StreamStore;
import dev.switchboard.core.spi.StreamStore.ReadResult;
import dev.switchboard.core.spi.StreamStore.StoredMessage;
import java.io.IOException;
import java.util.ArrayDeque;
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
 *
 * <p>Order. Events are delivered in the order {@link #append} was called, whatever order the store
 * completes them in: each call takes a ticket in {@link #tickets} and the stages are completed from
 * the head of that queue only (one drainer at a time, never under the lock), so delivery order is
 * offset order. An event to durable rooms gets its offset from the sequence stream, then is appended
 * to each of its durable rooms' streams (idempotently, under one message id) and is delivered once
 * all are stored: two store round trips before delivery. An event to no durable room is stored
 * nowhere and carries the offset of the last event before it ({@link #lastOffset}), so a client that
 * last saw it resumes after everything delivered before it.
 *
 * <p>Bounds: at most {@value #MAX_IN_FLIGHT} events wait in the queue; beyond, an append fails with
 * {@code OVERLOADED} (the event is not delivered, as when the store refuses it).
 *
 * <p>Threading: {@link #append} and {@link #joining} on any thread; state under {@link #lock}; stages
 * complete on the store's threads or the caller's; restores run on the shared restore thread, waiting
 * for store reads there.
 */
final class DurableNamespace implements RecoveryBackend {

    private static final Logger log = LoggerFactory.getLogger(DurableNamespace.class);
    /** Events read per store call while replaying. */
    private static final int PAGE = 500;
    /** Bound of one store call while restoring; a store that does not answer fails the restore. */
    static final long READ_TIMEOUT_S = 30;
    /** Events waiting to be delivered in order; about 10 s of a fast room's traffic. */
    static final int MAX_IN_FLIGHT = 65_536;
    private static final long UNKNOWN = Long.MIN_VALUE;
    private static final byte[] MARKER = new byte[0];

    private final DurableState state;
    private final String namespace;
    private final String sequence;
    private final StreamStore store;

    /** One event (or join) waiting for its turn. */
    private static final class Ticket {
        final CompletableFuture<Void> stage = new CompletableFuture<>();
        final ArrayNode data;
        final Runnable onTurn;
        /** Written before {@code done} is set (volatile): the offset of a durable event, or its failure. */
        long offset = UNKNOWN;
        Throwable failure;
        volatile boolean done;

        Ticket(ArrayNode data, Runnable onTurn) {
            this.data = data;
            this.onTurn = onTurn;
        }
    }

    private final Object lock = new Object();
    // Guarded by lock.
    private final ArrayDeque<Ticket> tickets = new ArrayDeque<>();
    /** Offset of the last event whose turn came, or, before any, the sequence's end at start minus one. */
    private long lastOffset = UNKNOWN;
    private boolean draining;

    DurableNamespace(DurableState state, String namespace) {
        this.state = state;
        this.namespace = namespace;
        this.sequence = DurableRecovery.sequenceStream(namespace);
        this.store = state.config.store();
        // Before any append of this namespace: the end read now is below every offset it will issue.
        store.endPosition(sequence).whenComplete((end, e) -> {
            synchronized (lock) {
                if (lastOffset == UNKNOWN) {
                    if (e != null) {
                        log.warn("namespace {}: sequence stream unreadable ({}); offsets of events to non-durable rooms "
                                + "start at -1 until the first durable event", namespace, e.toString());
                    }
                    lastOffset = e == null ? end - 1 : -1;
                }
            }
            drain();
        });
    }

    private boolean durable(String room) {
        return state.config.durable().test(namespace, room);
    }

    private String stream(String room) {
        return state.config.streamName().apply(namespace, room);
    }

    @Override
    public CompletionStage<Void> append(ArrayNode data, Set<String> rooms, Set<String> except, MessageId id) {
        List<String> durableRooms = new ArrayList<>(rooms.size());
        for (String room : rooms) {
            if (durable(room)) {
                durableRooms.add(room);
            }
        }
        Ticket t = new Ticket(data, null);
        synchronized (lock) {
            if (tickets.size() >= MAX_IN_FLIGHT) {
                return CompletableFuture.failedFuture(new StoreException(StoreException.Reason.OVERLOADED,
                        "namespace " + namespace + " has " + MAX_IN_FLIGHT + " events waiting for the store"));
            }
            tickets.add(t);
        }
        if (durableRooms.isEmpty()) {
            t.done = true;
            drain();
            return t.stage;
        }
        String messageId = id.toString();
        store.append(sequence, messageId, MARKER)
                .thenCompose(g -> storeInRooms(g, messageId, data, durableRooms, rooms, except))
                .whenComplete((g, e) -> {
                    if (e != null) {
                        t.failure = e;
                    } else {
                        t.offset = g;
                    }
                    t.done = true;
                    drain();
                });
        return t.stage;
    }

    private CompletionStage<Long> storeInRooms(long g, String messageId, ArrayNode data, List<String> durableRooms,
                                               Set<String> rooms, Set<String> except) {
        ObjectNode envelope = state.mapper.createObjectNode();
        envelope.set("d", data);
        ArrayNode r = envelope.putArray("r");
        rooms.forEach(r::add);
        ArrayNode x = envelope.putArray("x");
        except.forEach(x::add);
        envelope.put("g", g);
        List<CompletableFuture<Long>> stored = new ArrayList<>(durableRooms.size());
        for (String room : durableRooms) {
            String stream = stream(room);
            envelope.put("pg", state.swapLast(stream, g));
            byte[] bytes;
            try {
                bytes = state.mapper.writeValueAsBytes(envelope);
            } catch (IOException e) {
                return CompletableFuture.failedFuture(e);
            }
            stored.add(store.append(stream, messageId, bytes).toCompletableFuture());
        }
        return CompletableFuture.allOf(stored.toArray(CompletableFuture[]::new)).thenApply(v -> g);
    }

    /** Completes the stages whose turn has come, in ticket order; one drainer at a time, outside the lock. */
    private void drain() {
        while (true) {
            List<Ticket> turn = new ArrayList<>();
            synchronized (lock) {
                if (draining) {
                    return;
                }
                Ticket head;
                while ((head = tickets.peek()) != null && head.done) {
                    if (head.failure == null && head.offset == UNKNOWN && lastOffset == UNKNOWN) {
                        break; // not durable, and the sequence's end is not known yet
                    }
                    tickets.poll();
                    if (head.failure == null) {
                        if (head.offset != UNKNOWN) {
                            lastOffset = lastOffset == UNKNOWN ? head.offset : Math.max(lastOffset, head.offset);
                        }
                        if (head.data != null) {
                            head.data.add(Long.toString(head.offset != UNKNOWN ? head.offset : lastOffset));
                        }
                    }
                    turn.add(head);
                }
                if (turn.isEmpty()) {
                    return;
                }
                draining = true;
            }
            try {
                for (Ticket t : turn) {
                    if (t.onTurn != null) {
                        t.onTurn.run();
                    }
                    if (t.failure != null) {
                        t.stage.completeExceptionally(t.failure);
                    } else {
                        t.stage.complete(null);
                    }
                }
            } finally {
                synchronized (lock) {
                    draining = false;
                }
            }
        }
    }

    @Override
    public void persist(String sid, String pid, Set<String> rooms, Map<String, Object> data) {
        state.save(sid, pid, rooms, data);
        state.dropJoins(pid); // saved with the session now; reloaded by a restore
    }

    @Override
    public void track(String sid, String pid, Set<String> rooms, Map<String, Object> data) {
        state.save(sid, pid, rooms, data);
    }

    /**
     * Records where the session joins each durable room: after the last event whose turn has come.
     * Every event delivered before the join has an offset at or below it; every later one is delivered
     * to the socket live (it is subscribed by then) and so may be replayed. Before the sequence's end is
     * known, the join waits for its turn in the queue like an event.
     */
    @Override
    public void joining(String pid, java.util.Collection<String> rooms) {
        List<String> durableRooms = rooms.stream().filter(this::durable).toList();
        if (durableRooms.isEmpty()) {
            return;
        }
        synchronized (lock) {
            if (lastOffset != UNKNOWN) {
                long from = lastOffset + 1;
                for (String room : durableRooms) {
                    state.joined(pid, room, from);
                }
                return;
            }
            Ticket t = new Ticket(null, () -> {
                long from;
                synchronized (lock) {
                    from = lastOffset + 1;
                }
                for (String room : durableRooms) {
                    state.joined(pid, room, from);
                }
            });
            t.done = true;
            tickets.add(t);
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

    @Override
    public CompletionStage<RoomReplay> replayRoom(String room, String offset, Set<String> socketRooms) {
        if (!durable(room)) {
            return CompletableFuture.completedFuture(RoomReplay.unsupported());
        }
        Set<String> rooms = Set.copyOf(socketRooms);
        CompletableFuture<RoomReplay> result = new CompletableFuture<>();
        try {
            state.io.execute(() -> result.complete(replayRoomNow(room, offset, rooms)));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            result.complete(new RoomReplay(true, List.of(), truncation(room, -1, null)));
        }
        return result;
    }

    /** On the I/O thread. */
    private RoomReplay replayRoomNow(String room, String offset, Set<String> socketRooms) {
        long seen;
        try {
            seen = Long.parseLong(offset);
        } catch (NumberFormatException e) {
            return new RoomReplay(true, List.of(), truncation(room, -1, null));
        }
        TreeMap<Long, ArrayNode> missed = new TreeMap<>();
        List<Map<String, Object>> truncated = new ArrayList<>();
        try {
            replayRoom(room, seen, -1, socketRooms, missed, truncated, state.config.maxReplay());
        } catch (RuntimeException e) {
            log.warn("namespace {}: replay of room {} failed: {}", namespace, room, e.toString());
            return new RoomReplay(true, List.of(), truncation(room, -1, null));
        }
        if (!truncated.isEmpty()) {
            return new RoomReplay(true, List.of(), truncated.get(0));
        }
        return new RoomReplay(true, List.copyOf(missed.values()), null);
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
        JsonNode session = state.take(pid); // a session is restored once
        if (session == null) {
            return Outcome.none();
        }
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
        Session s = new Session(session.path("sid").asText(), pid, Set.copyOf(rooms),
                data == null ? Map.of() : data, session.path("savedAt").asLong());
        return Outcome.of(new Restored(s, List.copyOf(missed.values())));
    }

    /** Adds the room's events after {@code seen} to {@code missed}; records a truncation. Returns the budget left. */
    private int replayRoom(String room, long seen, long joinedAt, Set<String> sessionRooms, TreeMap<Long, ArrayNode> missed,
                           List<Map<String, Object>> truncated, int budget) {
        String stream = stream(room);
        ReadResult head = read(stream, 0, 1);
        if (head.messages().isEmpty()) {
            if (head.truncated()) {
                // Everything was dropped by retention: whether the client had seen it is unknown, so say so.
                truncated.add(truncation(room, head.firstPosition(), null));
            }
            return budget;
        }
        StoredMessage first = head.messages().get(0);
        JsonNode firstEnv = parse(first);
        long firstG = firstEnv.path("g").asLong();
        if (firstG > seen && head.truncated()) {
            long pg = firstEnv.path("pg").asLong(-1);
            if (pg < 0 || pg > seen) {
                truncated.add(truncation(room, first.position(), Long.toString(firstG)));
                return budget;
            }
        }
        // Binary search: the lowest offset whose g is above what the client has seen.
        long lo = first.position();
        long hi = head.endPosition();
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
                hi = Math.min(mid, m.position());
            } else {
                lo = Math.max(mid, m.position()) + 1;
            }
        }
        long from = lo;
        while (true) {
            ReadResult page = read(stream, from, PAGE);
            if (page.truncated() && from < page.firstPosition()) {
                // Retention ran during the restore.
                truncated.add(truncation(room, page.firstPosition(), null));
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
                    truncated.add(truncation(room, m.position(), Long.toString(g)));
                    return 0;
                }
                ArrayNode d = ((ArrayNode) env.path("d")).deepCopy();
                d.add(Long.toString(g));
                missed.put(g, d);
            }
            if (page.messages().isEmpty() || page.endPosition() <= from) {
                return budget;
            }
            // "From the position after the last one read": positions need not be dense, only ordered.
            long after = page.messages().get(page.messages().size() - 1).position() + 1;
            if (after >= page.endPosition()) {
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
            throw new IllegalStateException("stream " + m.stream() + " position " + m.position() + " is not a recovery envelope", e);
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
