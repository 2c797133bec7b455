package dev.switchboard.socketio.recovery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state every namespace's durable backend shares: where each session joined its durable rooms,
 * each room stream's last offset (for {@code pg}), the session codec and the restore thread.
 *
 * <p>Recovery offsets. A client keeps one offset, but may be in several durable rooms, each with its own
 * stream. So the offset of an event is the position of a marker appended to its namespace's sequence
 * stream ({@link DurableRecovery#sequenceStream}) before the event goes to its room streams, with that
 * offset {@code g} inside it; within each room stream {@code g} grows with the stream position. Each
 * stored envelope also carries the {@code g} of the previous event of the same stream ({@code pg}, -1
 * when unknown). A restore finds, per durable room, the first stored event with {@code g} above the
 * client's by binary search, merges the rooms' events by {@code g} (an event sent to two durable rooms
 * is replayed once), and knows the history was truncated when retention dropped something and the
 * oldest retained event's {@code pg} does not prove that nothing the client missed was among it.
 *
 * <p>Sessions are kept in the {@link dev.switchboard.core.spi.SessionStore} as small JSON documents,
 * saved on connect, join, leave and disconnect (so a crash keeps a connected socket's id and rooms, its
 * {@code data} as of its last room change) and taken (read and removed) by a restore.
 *
 * <p>Threading: {@link #swapLast} under its own monitor; restores on {@link #io}.
 */
final class DurableState implements DurableRecovery.Opened {

    private static final Logger log = LoggerFactory.getLogger(DurableState.class);
    /** Durable streams whose last {@code g} is remembered (for {@code pg}); beyond, pg is unknown (-1). */
    private static final int MAX_REMEMBERED_STREAMS = 100_000;
    /** Restores waiting for the restore thread; beyond it a reconnecting client is not recovered. */
    private static final int MAX_PENDING_RESTORES = 10_000;
    static final Pattern VALID_PID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    final DurableRecovery config;
    final ObjectMapper mapper = new ObjectMapper();
    final ExecutorService io;
    /** Guarded by itself: stream -> g of its last append (LRU). */
    private final LinkedHashMap<String, Long> lastG = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > MAX_REMEMBERED_STREAMS;
        }
    };
    /**
     * Per session, per durable room: the lowest offset an event must have to be replayed to it, i.e.
     * the offset after the last event delivered before it joined (see {@link DurableNamespace#joining}).
     * Kept in memory while the socket is connected, in its saved session otherwise.
     */
    private final Map<String, Map<String, Long>> joins = new ConcurrentHashMap<>();

    DurableState(DurableRecovery config) {
        this.config = config;
        io = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(MAX_PENDING_RESTORES), r -> {
            Thread t = new Thread(r, "switchboard-recovery-io");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public RecoveryBackend create(String namespace, long maxDisconnectionMs, int maxStoredPackets) {
        return new DurableNamespace(this, namespace);
    }

    /**
     * The previous g of {@code stream} (-1 unknown), remembering {@code g} as its last. Appends may
     * reach here out of offset order on a store that completes streams independently: an older g never
     * replaces a newer one, and then its pg is unknown.
     */
    long swapLast(String stream, long g) {
        synchronized (lastG) {
            Long prev = lastG.get(stream);
            if (prev == null) {
                lastG.put(stream, g);
                return -1;
            }
            if (prev < g) {
                lastG.put(stream, g);
                return prev;
            }
            return -1;
        }
    }

    // ---- sessions ----

    void joined(String pid, String room, long from) {
        joins.computeIfAbsent(pid, k -> new ConcurrentHashMap<>()).putIfAbsent(room, from);
    }

    void dropJoins(String pid) {
        if (pid != null) {
            joins.remove(pid);
        }
    }

    void restoreJoins(String pid, Map<String, Long> joined) {
        if (!joined.isEmpty()) {
            joins.computeIfAbsent(pid, k -> new ConcurrentHashMap<>()).putAll(joined);
        }
    }

    void save(String sid, String pid, Set<String> rooms, Map<String, Object> data) {
        if (pid == null || !VALID_PID.matcher(pid).matches()) {
            return;
        }
        ObjectNode s = mapper.createObjectNode();
        s.put("sid", sid);
        s.put("pid", pid);
        ArrayNode r = s.putArray("rooms");
        rooms.stream().sorted().forEach(r::add);
        try {
            s.set("data", mapper.valueToTree(data));
        } catch (IllegalArgumentException e) {
            log.warn("session {}: socket.data is not JSON-serialisable, kept without it: {}", sid, e.getMessage());
            s.putObject("data");
        }
        s.put("savedAt", System.currentTimeMillis());
        Map<String, Long> joined = joins.get(pid);
        if (joined != null) {
            joined.keySet().retainAll(rooms);
            ObjectNode j = s.putObject("joined");
            joined.forEach(j::put);
        }
        byte[] bytes;
        try {
            bytes = mapper.writeValueAsBytes(s);
        } catch (IOException e) {
            log.warn("session {}: not saved: {}", sid, e.getMessage());
            return;
        }
        config.sessions().save(pid, bytes, config.sessionTtl()).whenComplete((v, e) -> {
            if (e != null) {
                log.warn("session {}: not saved: {}", sid, e.toString());
            }
        });
    }

    void forget(String pid) {
        if (pid != null && VALID_PID.matcher(pid).matches()) {
            config.sessions().remove(pid);
        }
    }

    /** On the restore thread: the saved session, removed from the store (restored once), or null. */
    JsonNode take(String pid) {
        Optional<byte[]> state;
        try {
            state = config.sessions().take(pid).toCompletableFuture().get(DurableNamespace.READ_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            log.warn("session of pid {}: could not be read: {}", pid, e.getCause() != null ? e.getCause() : e);
            return null;
        }
        if (state.isEmpty()) {
            return null;
        }
        try {
            return mapper.readTree(state.get());
        } catch (IOException e) {
            log.warn("session of pid {}: unreadable, ignored: {}", pid, e.getMessage());
            return null;
        }
    }

    @Override
    public void close() {
        io.shutdown();
        try {
            io.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
