package dev.switchboard.socketio.recovery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state every namespace's durable backend shares: the recovery sequence, the session files and the
 * I/O thread.
 *
 * <p>Recovery offsets. A client keeps one offset, but may be in several durable rooms, each with its own
 * stream and stream offsets. So the recovery offset is a sequence number {@code g} taken from one
 * counter for every eligible event (under {@link #appendLock}, together with the store append calls, so
 * that within each stream {@code g} grows with the stream offset). Each stored envelope carries its
 * {@code g} and the {@code g} of the previous event of the same stream ({@code pg}, -1 when unknown).
 * A restore finds, per durable room, the first stored event with {@code g} above the client's by binary
 * search, merges the rooms' events by {@code g} (an event sent to two durable rooms is replayed once),
 * and knows the history was truncated when the oldest retained event is newer than the client's offset
 * and its {@code pg} does not prove that nothing in between was dropped.
 *
 * <p>The counter survives restarts by reserving blocks: the file {@code sequence} holds a bound no
 * issued number reaches; it is raised (and fsynced) once per {@link #BLOCK} numbers, and a restart starts
 * at the stored bound. Numbers skipped by a restart are harmless: only order matters.
 *
 * <p>Sessions are small JSON files {@code sessions/<pid>.json}, written atomically (temporary file, then
 * rename) on the I/O thread. A file per session rather than a stream: sessions are looked up by pid,
 * replaced on every room change and deleted when restored, which a log would only ever grow with; there
 * are few (one per socket) and small. They are written on connect, join, leave and disconnect, so a crash
 * keeps a connected socket's id and rooms (its {@code data} as of its last room change).
 *
 * <p>Threading: {@link #next} and the append path under {@link #appendLock}; files on {@link #io}.
 */
final class DurableState implements DurableRecovery.Opened {

    private static final Logger log = LoggerFactory.getLogger(DurableState.class);
    static final long BLOCK = 1_000_000;
    /** Durable streams whose last {@code g} is remembered (for {@code pg}); beyond, pg is unknown (-1). */
    private static final int MAX_REMEMBERED_STREAMS = 100_000;
    static final Pattern VALID_PID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    final DurableRecovery config;
    final ObjectMapper mapper = new ObjectMapper();
    final Object appendLock = new Object();
    final ScheduledExecutorService io;
    private final Path sequenceFile;
    private final Path sessions;
    /** Guarded by appendLock. */
    private long next;
    private long bound;
    /** Guarded by appendLock: stream -> g of its last append (LRU). */
    private final LinkedHashMap<String, Long> lastG = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > MAX_REMEMBERED_STREAMS;
        }
    };
    /**
     * Per session, per durable room: the sequence number the next event had when the session joined the
     * room (taken before subscribing: a restore replays nothing older, and misses nothing delivered).
     * Kept in memory while the socket is connected, in its session file otherwise.
     */
    private final Map<String, Map<String, Long>> joins = new ConcurrentHashMap<>();
    /** Snapshots waiting for the I/O thread, by pid (null value: delete). */
    private final Map<String, ObjectNode> pending = new ConcurrentHashMap<>();
    private static final ObjectNode DELETE = new ObjectMapper().createObjectNode();

    DurableState(DurableRecovery config) {
        this.config = config;
        this.sequenceFile = config.directory().resolve("sequence");
        this.sessions = config.directory().resolve("sessions");
        try {
            Files.createDirectories(sessions);
            if (Files.exists(sequenceFile)) {
                String text = Files.readString(sequenceFile, StandardCharsets.US_ASCII).trim();
                next = Long.parseLong(text);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("recovery directory " + config.directory() + ": " + e.getMessage(), e);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("recovery sequence file " + sequenceFile + " is corrupt: " + e.getMessage());
        }
        bound = next;
        reserve();
        io = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "switchboard-recovery-io");
            t.setDaemon(true);
            return t;
        });
        io.scheduleWithFixedDelay(this::expireSessions, 0, 10, TimeUnit.MINUTES);
    }

    @Override
    public RecoveryBackend create(String namespace, long maxDisconnectionMs, int maxStoredPackets) {
        return new DurableNamespace(this, namespace);
    }

    // ---- sequence (under appendLock) ----

    long nextSequence() {
        if (next >= bound) {
            reserve();
        }
        return next++;
    }

    /** Under appendLock: the previous g of {@code stream} (-1 unknown), remembering {@code g} as its last. */
    long swapLast(String stream, long g) {
        Long prev = lastG.put(stream, g);
        return prev == null ? -1 : prev;
    }

    private void reserve() {
        long newBound = bound + BLOCK;
        writeAtomically(sequenceFile, Long.toString(newBound).getBytes(StandardCharsets.US_ASCII), true);
        bound = newBound;
    }

    // ---- sessions ----

    void joining(String pid, String room) {
        long now;
        synchronized (appendLock) {
            now = next;
        }
        joins.computeIfAbsent(pid, k -> new ConcurrentHashMap<>()).putIfAbsent(room, now);
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
        pending.put(pid, s);
        kick();
    }

    void forget(String pid) {
        if (pid != null && VALID_PID.matcher(pid).matches()) {
            pending.put(pid, DELETE);
            kick();
        }
    }

    private void kick() {
        try {
            io.execute(this::flushPending);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // Closed: the last flush has run; a socket closing this late is not kept.
        }
    }

    /** On the I/O thread. */
    void flushPending() {
        for (String pid : Set.copyOf(pending.keySet())) {
            ObjectNode s = pending.remove(pid);
            if (s == null) {
                continue;
            }
            Path file = sessions.resolve(pid + ".json");
            if (s == DELETE) {
                deleteQuietly(file);
            } else {
                try {
                    writeAtomically(file, mapper.writeValueAsBytes(s), config.fsync());
                } catch (IOException | UncheckedIOException e) {
                    log.warn("session {}: not saved: {}", s.path("sid").asText(), e.getMessage());
                }
            }
        }
    }

    /** On the I/O thread: the saved session, or null (unknown, expired or unreadable). */
    JsonNode load(String pid) {
        flushPending();
        Path file = sessions.resolve(pid + ".json");
        try {
            JsonNode s = mapper.readTree(Files.readAllBytes(file));
            if (s.path("savedAt").asLong() + config.sessionTtl().toMillis() < System.currentTimeMillis()) {
                deleteQuietly(file);
                return null;
            }
            return s;
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            log.warn("session file {} unreadable, ignored: {}", file.getFileName(), e.getMessage());
            deleteQuietly(file);
            return null;
        }
    }

    void delete(String pid) {
        deleteQuietly(sessions.resolve(pid + ".json"));
    }

    private void expireSessions() {
        long oldest = System.currentTimeMillis() - config.sessionTtl().toMillis();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(sessions, "*.json")) {
            for (Path f : files) {
                if (Files.getLastModifiedTime(f).toMillis() < oldest) {
                    deleteQuietly(f);
                }
            }
        } catch (IOException e) {
            log.warn("expiring recovery sessions in {} failed: {}", sessions, e.getMessage());
        }
    }

    private static void deleteQuietly(Path f) {
        try {
            Files.deleteIfExists(f);
        } catch (IOException e) {
            log.warn("could not delete {}: {}", f, e.getMessage());
        }
    }

    private static void writeAtomically(Path file, byte[] bytes, boolean fsync) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                if (fsync) {
                    ch.force(true);
                }
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        kick();
        io.shutdown();
        try {
            io.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
