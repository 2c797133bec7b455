package dev.switchboard.store;

import dev.switchboard.core.spi.StoreException;
import dev.switchboard.core.spi.DeliveryHandle;
import dev.switchboard.core.spi.QueueStore;
import dev.switchboard.core.spi.StreamStore;
import java.util.concurrent.Executor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.rocksdb.RocksDBException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded storage plane of one node: durable streams and reliable queues in one RocksDB
 * database on local disk, sharing one write-ahead log and one group commit.
 *
 * <p>Threads: one writer thread ({@code switchboard-store-writer}) runs every append, enqueue, lease,
 * ack, release, lease expiry and retention, in submission order; {@code readThreads} reader threads
 * ({@code switchboard-store-reader-N}) serve stream reads and dead-letter listings from snapshots.
 * Methods never block the caller: invalid arguments fail the returned stage at once, everything else
 * completes on the store's threads. Callbacks attached to those stages without an executor run on the
 * store's threads and must not block.
 *
 * <p>Ownership: a payload passed to {@code append} or {@code enqueue} belongs to the store from the
 * call on (it is not copied); payloads returned by reads belong to the caller.
 *
 * <p>Bounds: pending writes ({@code maxPendingOperations}) and reads ({@code maxPendingReads}) — past
 * them operations fail with {@link StoreException.Reason#OVERLOADED}; payload size; read batch size;
 * queue depth ({@link StoreException.Reason#QUEUE_FULL}); streams by their retention.
 */
public final class EmbeddedStore implements StreamStore, QueueStore {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedStore.class);

    private final StoreConfig config;
    private final RocksContext rocks;
    private final StreamLog streams;
    private final QueueBook queues;
    private final Writer writer;
    private final Reads reads;
    private final Tails tails;
    private final ThreadPoolExecutor readPool;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedStore(StoreConfig config, RocksContext rocks) throws RocksDBException {
        this.config = config;
        this.rocks = rocks;
        this.tails = new Tails(this::read, config.maxReadBatch());
        this.streams = new StreamLog(rocks, config, tails);
        this.queues = new QueueBook(rocks, config);
        long started = System.nanoTime();
        int streamCount = streams.recover();
        int queueCount = queues.recover();
        this.writer = new Writer(rocks, streams, queues, tails, config);
        this.reads = new Reads(rocks, config.maxReadBatch());
        AtomicInteger n = new AtomicInteger();
        this.readPool = new ThreadPoolExecutor(config.readThreads(), config.readThreads(), 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(config.maxPendingReads()), r -> {
                    Thread t = new Thread(r, "switchboard-store-reader-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        writer.start();
        log.info("store opened at {} ({} durability): {} streams, {} queues recovered in {} ms",
                config.dataDirectory(), config.durability(), streamCount, queueCount,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    /**
     * Opens (creating if needed) the store in the configured directory and recovers its state: replays
     * the write-ahead log, cutting a torn tail, and loads every stream's and queue's metadata. Blocks
     * the calling thread for the duration of the recovery; call it at startup, not on an event loop.
     *
     * @throws IllegalStateException if the database cannot be opened (another process holds it, or it is corrupt)
     */
    public static EmbeddedStore open(StoreConfig config) {
        RocksContext rocks;
        try {
            rocks = RocksContext.open(config.dataDirectory(), config.durability());
        } catch (RocksDBException e) {
            throw new IllegalStateException("cannot open store at " + config.dataDirectory() + ": " + e.getMessage(), e);
        }
        try {
            return new EmbeddedStore(config, rocks);
        } catch (RocksDBException | RuntimeException e) {
            rocks.close();
            throw new IllegalStateException("cannot recover store at " + config.dataDirectory() + ": " + e.getMessage(), e);
        }
    }

    public StoreConfig config() {
        return config;
    }

    // ---- streams -------------------------------------------------------------------------------

    /**
     * {@inheritDoc}
     *
     * <p>Positions here are dense (each append takes the next one, from 0), which callers must not rely
     * on. De-duplication window: {@link StoreConfig#dedupWindow()} and
     * {@link StoreConfig#dedupWindowEntries()}, refilled from the stored ids when the store opens.
     */
    @Override
    public CompletionStage<Long> append(String stream, String messageId, byte[] payload) {
        byte[] name;
        byte[] id;
        try {
            name = Keys.name(stream);
            id = Keys.id(messageId);
            checkPayload(payload);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        return writer.submit(b -> streams.append(b, stream, name, messageId, id, payload));
    }

    @Override
    public Tail subscribe(String stream, long afterPosition, int maxPending, Executor executor, TailListener listener) {
        Keys.name(stream);
        if (afterPosition < -1) {
            throw new IllegalArgumentException("afterPosition must be >= -1, got " + afterPosition);
        }
        if (maxPending < 1 || maxPending > 1_000_000) {
            throw new IllegalArgumentException("maxPending must be within 1..1000000, got " + maxPending);
        }
        java.util.Objects.requireNonNull(executor, "executor");
        java.util.Objects.requireNonNull(listener, "listener");
        return tails.subscribe(stream, afterPosition, maxPending, executor, listener);
    }

    @Override
    public CompletionStage<ReadResult> read(String stream, long fromOffset, int max) {
        byte[] name;
        try {
            name = Keys.name(stream);
            checkMax(max);
            if (fromOffset < 0) {
                throw new IllegalArgumentException("fromOffset must be >= 0, got " + fromOffset);
            }
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        return onReader(() -> reads.read(stream, name, fromOffset, max));
    }

    @Override
    public CompletionStage<ReadResult> readFromTime(String stream, long epochMillis, int max) {
        byte[] name;
        try {
            name = Keys.name(stream);
            checkMax(max);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        return onReader(() -> reads.readFromTime(stream, name, epochMillis, max));
    }

    @Override
    public CompletionStage<Long> endPosition(String stream) {
        try {
            Keys.name(stream);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        return writer.submit(b -> streams.nextOffset(stream));
    }

    /**
     * Runs retention over every stream now, instead of waiting for the next scheduled run; the stage
     * completes with the number of messages dropped. For operators and tests.
     */
    public CompletionStage<Long> enforceRetention() {
        return writer.submit(b -> streams.enforceRetention(b, config.maxRetentionDeletesPerRun()));
    }

    // ---- queues --------------------------------------------------------------------------------

    /**
     * {@inheritDoc} De-duplication window: as for stream appends ({@link StoreConfig#dedupWindow()}), but
     * since the store opened only (a queue message does not keep its key).
     */
    @Override
    public CompletionStage<Long> enqueue(String queue, String dedupKey, byte[] payload) {
        byte[] name;
        try {
            name = Keys.name(queue);
            Keys.id(dedupKey);
            checkPayload(payload);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        return writer.submit(b -> queues.enqueue(b, queue, name, dedupKey, payload));
    }

    @Override
    public CompletionStage<List<QueuedMessage>> lease(String queue, int max, Duration visibilityTimeout) {
        try {
            Keys.name(queue);
            checkMax(max);
            if (visibilityTimeout == null || visibilityTimeout.toMillis() < 1
                    || visibilityTimeout.compareTo(config.maxVisibilityTimeout()) > 0) {
                throw new IllegalArgumentException("visibilityTimeout must be within 1ms.." + config.maxVisibilityTimeout()
                        + ", got " + visibilityTimeout);
            }
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        int limit = Math.min(max, config.maxReadBatch());
        long timeoutMillis = visibilityTimeout.toMillis();
        return writer.submit(b -> queues.lease(b, queue, limit, timeoutMillis));
    }

    @Override
    public CompletionStage<Void> ack(DeliveryHandle delivery) {
        EmbeddedDelivery d;
        try {
            d = own(delivery);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        return writer.submit(b -> {
            queues.ack(b, d.queue(), d.id());
            return null;
        });
    }

    @Override
    public CompletionStage<Void> release(DeliveryHandle delivery) {
        EmbeddedDelivery d;
        try {
            d = own(delivery);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        return writer.submit(b -> {
            queues.release(b, d.queue(), d.id(), d.attempt());
            return null;
        });
    }

    private static EmbeddedDelivery own(DeliveryHandle delivery) {
        if (!(delivery instanceof EmbeddedDelivery d)) {
            throw new IllegalArgumentException("not a delivery of the embedded store: " + delivery);
        }
        Keys.name(d.queue());
        return d;
    }

    @Override
    public CompletionStage<List<QueuedMessage>> deadLetters(String queue, int max) {
        byte[] name;
        try {
            name = Keys.name(queue);
            checkMax(max);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        return onReader(() -> reads.deadLetters(queue, name, max));
    }

    @Override
    public CompletionStage<Long> depth(String queue) {
        try {
            Keys.name(queue);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        return writer.submit(b -> queues.depth(queue));
    }

    // ---- lifecycle -----------------------------------------------------------------------------

    /** The writer thread's queue; package-private for tests that need to hold the writer. */
    Writer writer() {
        return writer;
    }

    /** The queue state, confined to the writer thread: touch it only from work submitted to {@link #writer()}. */
    QueueBook queues() {
        return queues;
    }

    /** WAL fsyncs RocksDB itself counted since open; package-private for tests of the durability policy. */
    long walSyncs() throws RocksDBException {
        return rocks.walSyncs();
    }

    /** Counters since open; see {@link StoreStats}. */
    public StoreStats stats() {
        return new StoreStats(streams.appends, streams.duplicates + queues.duplicates, queues.enqueues, writer.commits(), writer.committedOps(),
                writer.rejectedOverload(), queues.rejectedQueueFull, queues.redeliveries, queues.deadLettered,
                streams.retainedDeletes, tails.lagged.sum());
    }

    /**
     * Completes every operation already accepted, refuses new ones ({@link StoreException.Reason#CLOSED}),
     * waits for the store's threads, then syncs the WAL, flushes the memtables and closes the database.
     * Blocks the caller until done; idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        writer.close();
        tails.closeAll();
        readPool.shutdown();
        boolean interrupted = false;
        try {
            while (!readPool.awaitTermination(10, TimeUnit.SECONDS)) {
                log.warn("store close: waiting for reads to finish");
            }
        } catch (InterruptedException e) {
            interrupted = true;
            // Reads still running would use freed native handles: wait for them regardless.
            try {
                while (!readPool.awaitTermination(10, TimeUnit.SECONDS)) {
                    log.warn("store close: waiting for reads to finish");
                }
            } catch (InterruptedException again) {
                log.warn("store close interrupted twice while reads run; leaving the database open");
                Thread.currentThread().interrupt();
                return;
            }
        }
        rocks.close();
        log.info("store closed at {}", config.dataDirectory());
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private interface ReadWork<T> {
        T run() throws RocksDBException;
    }

    private <T> CompletionStage<T> onReader(ReadWork<T> work) {
        CompletableFuture<T> future = new CompletableFuture<>();
        if (closed.get()) {
            future.completeExceptionally(new StoreException(StoreException.Reason.CLOSED, "store is closed"));
            return future;
        }
        try {
            readPool.execute(() -> {
                try {
                    future.complete(work.run());
                } catch (RocksDBException | RuntimeException e) {
                    future.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            future.completeExceptionally(readPool.isShutdown()
                    ? new StoreException(StoreException.Reason.CLOSED, "store is closed")
                    : new StoreException(StoreException.Reason.OVERLOADED, "store has " + config.maxPendingReads() + " reads pending, the configured maximum"));
        }
        return future;
    }

    private void checkPayload(byte[] payload) {
        if (payload == null) {
            throw new IllegalArgumentException("payload must not be null");
        }
        if (payload.length > config.maxMessageBytes()) {
            throw new IllegalArgumentException("payload is " + payload.length + " bytes, at most " + config.maxMessageBytes() + " allowed");
        }
    }

    private static void checkMax(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be >= 1, got " + max);
        }
    }
}
