package dev.switchboard.store.session;

import dev.switchboard.core.spi.SessionStore;
import dev.switchboard.core.spi.StoreException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded {@link SessionStore} of one node: a small file per session, {@code <dir>/<id>.session}
 * holding {@code u64 expiresAtMillis | state}, written atomically (temporary file, then rename; fsynced
 * when asked).
 *
 * <p>A file per session rather than a log: sessions are looked up by id, replaced on every room change
 * and deleted when restored, which a log would only ever grow with; there are few (one per recoverable
 * socket) and small.
 *
 * <p>Threading: every operation runs on one thread ({@code switchboard-sessions}) in call order, which
 * makes {@link #take} atomic; the queue of waiting operations is bounded ({@value #MAX_PENDING}, beyond it
 * an operation fails with {@link StoreException.Reason#OVERLOADED}). Expired files are removed every
 * {@code sweepInterval} and when met by a load.
 *
 * <p>Ids must match {@code [A-Za-z0-9_-]{1,64}} (they name files): any other id is unknown to a load and
 * refused by a save.
 */
public final class FileSessionStore implements SessionStore {

    private static final Logger log = LoggerFactory.getLogger(FileSessionStore.class);
    /** Operations waiting for the session thread: one per socket connect, join, leave or disconnect at most. */
    static final int MAX_PENDING = 65_536;
    private static final Pattern VALID_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final String SUFFIX = ".session";

    private final Path directory;
    private final boolean fsync;
    private final Clock clock;
    private final ThreadPoolExecutor thread;
    private final ScheduledExecutorService sweeper;

    private FileSessionStore(Path directory, boolean fsync, Clock clock, Duration sweepInterval) {
        this.directory = directory;
        this.fsync = fsync;
        this.clock = clock;
        this.thread = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(MAX_PENDING), r -> {
            Thread t = new Thread(r, "switchboard-sessions");
            t.setDaemon(true);
            return t;
        });
        // The sweep runs on the session thread like every operation (so it never races a save); the
        // scheduler only queues it there, and a sweep refused because that queue is full waits for the next.
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "switchboard-sessions-sweep");
            t.setDaemon(true);
            return t;
        });
        long every = sweepInterval.toMillis();
        sweeper.scheduleWithFixedDelay(() -> submit(() -> {
            sweep();
            return null;
        }), every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * Opens the store in {@code directory} (created if missing) and removes the sessions that expired.
     *
     * @param fsync whether each write is fsynced before it completes (else it is written to the OS)
     * @throws UncheckedIOException when the directory cannot be used
     */
    public static FileSessionStore open(Path directory, boolean fsync) {
        return open(directory, fsync, Clock.systemUTC(), Duration.ofMinutes(10));
    }

    /** As {@link #open(Path, boolean)}, with the clock and the sweep interval given (tests). */
    public static FileSessionStore open(Path directory, boolean fsync, Clock clock, Duration sweepInterval) {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("session directory " + directory + ": " + e.getMessage(), e);
        }
        FileSessionStore store = new FileSessionStore(Objects.requireNonNull(directory), fsync,
                Objects.requireNonNull(clock), Objects.requireNonNull(sweepInterval));
        store.submit(() -> {
            store.sweep();
            return null;
        });
        return store;
    }

    @Override
    public CompletionStage<Void> save(String sessionId, byte[] state, Duration ttl) {
        Objects.requireNonNull(state, "state");
        if (!valid(sessionId)) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("session id must match " + VALID_ID + ": " + sessionId));
        }
        if (ttl == null || ttl.isNegative() || ttl.isZero()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("ttl must be > 0, got " + ttl));
        }
        return submit(() -> {
            long expires = clock.millis() + ttl.toMillis();
            byte[] bytes = ByteBuffer.allocate(8 + state.length).putLong(expires).put(state).array();
            writeAtomically(file(sessionId), bytes);
            return null;
        });
    }

    @Override
    public CompletionStage<Optional<byte[]>> load(String sessionId) {
        if (!valid(sessionId)) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return submit(() -> read(sessionId));
    }

    @Override
    public CompletionStage<Optional<byte[]>> take(String sessionId) {
        if (!valid(sessionId)) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return submit(() -> {
            Optional<byte[]> state = read(sessionId);
            deleteQuietly(file(sessionId));
            return state;
        });
    }

    @Override
    public CompletionStage<Void> remove(String sessionId) {
        if (!valid(sessionId)) {
            return CompletableFuture.completedFuture(null);
        }
        return submit(() -> {
            deleteQuietly(file(sessionId));
            return null;
        });
    }

    /** Completes what is queued, then stops the thread. Idempotent. */
    @Override
    public void close() {
        sweeper.shutdownNow();
        thread.shutdown();
        try {
            if (!thread.awaitTermination(10, TimeUnit.SECONDS)) {
                log.warn("session store {}: writes still running after 10 s at close", directory);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- on the session thread ----

    private Optional<byte[]> read(String id) {
        Path f = file(id);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(f);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            log.warn("session file {} unreadable, removed: {}", f.getFileName(), e.getMessage());
            deleteQuietly(f);
            return Optional.empty();
        }
        if (bytes.length < 8) {
            log.warn("session file {} is too short, removed", f.getFileName());
            deleteQuietly(f);
            return Optional.empty();
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        if (buf.getLong() <= clock.millis()) {
            deleteQuietly(f);
            return Optional.empty();
        }
        byte[] state = new byte[bytes.length - 8];
        buf.get(state);
        return Optional.of(state);
    }

    private void sweep() {
        long now = clock.millis();
        int removed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*" + SUFFIX)) {
            for (Path f : files) {
                try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
                    ByteBuffer head = ByteBuffer.allocate(8);
                    while (head.hasRemaining() && ch.read(head) >= 0) {
                        // read the expiry
                    }
                    if (head.hasRemaining() || head.flip().getLong() <= now) {
                        deleteQuietly(f);
                        removed++;
                    }
                } catch (IOException e) {
                    log.warn("session file {} unreadable during sweep: {}", f.getFileName(), e.getMessage());
                }
            }
        } catch (IOException e) {
            log.warn("sweeping sessions in {} failed: {}", directory, e.getMessage());
        }
        if (removed > 0) {
            log.debug("session store {}: {} expired sessions removed", directory, removed);
        }
    }

    private void writeAtomically(Path file, byte[] bytes) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
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
    }

    private static void deleteQuietly(Path f) {
        try {
            Files.deleteIfExists(f);
        } catch (IOException e) {
            log.warn("could not delete {}: {}", f, e.getMessage());
        }
    }

    // ---- any thread ----

    private Path file(String id) {
        return directory.resolve(id + SUFFIX);
    }

    private static boolean valid(String id) {
        return id != null && VALID_ID.matcher(id).matches();
    }

    private <T> CompletionStage<T> submit(Callable<T> work) {
        CompletableFuture<T> f = new CompletableFuture<>();
        try {
            thread.execute(() -> {
                try {
                    f.complete(work.call());
                } catch (Exception e) {
                    f.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            f.completeExceptionally(thread.isShutdown()
                    ? new StoreException(StoreException.Reason.CLOSED, "session store is closed")
                    : new StoreException(StoreException.Reason.OVERLOADED, "session store has " + MAX_PENDING + " operations pending"));
        }
        return f;
    }
}
