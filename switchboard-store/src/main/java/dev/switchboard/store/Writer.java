package dev.switchboard.store;

import dev.switchboard.core.spi.StoreException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer thread of the store and its group commit.
 *
 * <p>Concurrency model. Callers on any thread {@link #submit} an operation into a bounded queue and get
 * a stage back; they never block and never touch RocksDB. One thread, owned by this class, takes
 * whatever is pending (up to {@code groupCommitMaxBatch}), applies every operation to the in-memory
 * state of {@link StreamLog} and {@link QueueBook} (both confined to this thread, no locks) and to one
 * {@link WriteBatch}, writes that batch once (one WAL append, plus one fsync under
 * {@link Durability#FSYNC}) and only then completes the operations' stages, on this thread. The
 * appends that arrive during one fsync form the next batch: that is the group commit.
 *
 * <p>Invariants. A stage is completed only after the batch holding its writes is in RocksDB under the
 * durability policy. Within a batch operations apply in submission order; an operation whose outcome
 * depends on a write still in the batch (retention, an ack of a message not leased since open) first
 * commits what the batch holds so far, so it sees every earlier operation. A lease does not: it hands
 * out committed messages only (see {@link QueueBook#lease}). A stream's or queue's metadata is written in the same batch as its data,
 * so after any crash they agree.
 *
 * <p>Failure. If a RocksDB write fails the store stops: the batch's stages and every later operation
 * fail with {@link StoreException.Reason#FAILED}; the in-memory state is no longer trusted.
 *
 * <p>Completion callbacks attached without an executor run on this thread: they must not block, and
 * must never wait for another store operation (that would deadlock the writer).
 */
final class Writer implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(Writer.class);

    /** Work done on the writer thread; returns the stage's value, completed after commit. */
    interface Work<T> {
        T apply(Batch batch) throws RocksDBException;
    }

    private record Op<T>(Work<T> work, CompletableFuture<T> future) {}

    /** Wakes the writer on close without doing anything. */
    private static final Op<Void> WAKE = new Op<>(b -> null, new CompletableFuture<>());

    private final RocksContext rocks;
    private final StreamLog streams;
    private final QueueBook queues;
    private final Tails tails;
    private final ArrayBlockingQueue<Op<?>> pending;
    private final int maxBatch;
    private final long lingerNanos;
    private final long leaseCheckNanos;
    private final long retentionNanos;
    private final int maxRetentionDeletes;
    private final Thread thread;
    private final Batch batch = new Batch();

    private volatile boolean closing;
    private volatile boolean exited;
    private volatile StoreException failure;

    // Counters: written only by the writer thread (volatile for readers), except the LongAdder.
    private volatile long commits;
    private volatile long committedOps;
    private final LongAdder rejectedOverload = new LongAdder();

    Writer(RocksContext rocks, StreamLog streams, QueueBook queues, Tails tails, StoreConfig config) {
        this.rocks = rocks;
        this.tails = tails;
        this.streams = streams;
        this.queues = queues;
        this.pending = new ArrayBlockingQueue<>(config.maxPendingOperations());
        this.maxBatch = config.groupCommitMaxBatch();
        this.lingerNanos = config.groupCommitMaxDelay().toNanos();
        this.leaseCheckNanos = config.leaseCheckInterval().toNanos();
        this.retentionNanos = config.retentionInterval().toNanos();
        this.maxRetentionDeletes = config.maxRetentionDeletesPerRun();
        this.thread = new Thread(this, "switchboard-store-writer");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Queues work for the writer thread; never blocks. A full queue fails the stage with OVERLOADED. */
    <T> CompletionStage<T> submit(Work<T> work) {
        CompletableFuture<T> future = new CompletableFuture<>();
        StoreException failed = failure;
        if (failed != null) {
            future.completeExceptionally(failed);
            return future;
        }
        if (closing) {
            future.completeExceptionally(new StoreException(StoreException.Reason.CLOSED, "store is closed"));
            return future;
        }
        Op<T> op = new Op<>(work, future);
        if (!pending.offer(op)) {
            rejectedOverload.increment();
            future.completeExceptionally(new StoreException(StoreException.Reason.OVERLOADED,
                    "store has " + pending.size() + " operations pending, the configured maximum"));
            return future;
        }
        // Raced with close: the writer may have drained the queue for the last time already.
        if (exited && pending.remove(op)) {
            future.completeExceptionally(new StoreException(StoreException.Reason.CLOSED, "store is closed"));
        }
        return future;
    }

    /** Stops taking work, lets the writer finish what is pending, and waits for its thread to end. */
    void close() {
        closing = true;
        pending.offer(WAKE);
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    long pendingCount() {
        return pending.size();
    }

    long commits() {
        return commits;
    }

    long committedOps() {
        return committedOps;
    }

    long rejectedOverload() {
        return rejectedOverload.sum();
    }

    @Override
    public void run() {
        List<Op<?>> drained = new ArrayList<>(maxBatch);
        long nextLeaseCheck = System.nanoTime() + leaseCheckNanos;
        long nextRetention = System.nanoTime() + retentionNanos;
        try {
            while (true) {
                long wait = Math.min(nextLeaseCheck, nextRetention) - System.nanoTime();
                Op<?> first;
                try {
                    first = wait > 0 ? pending.poll(wait, TimeUnit.NANOSECONDS) : pending.poll();
                } catch (InterruptedException e) {
                    closing = true;
                    first = pending.poll();
                }
                if (first != null) {
                    drained.add(first);
                    pending.drainTo(drained, maxBatch - 1);
                    if (lingerNanos > 0) {
                        linger(drained);
                    }
                    for (Op<?> op : drained) {
                        process(op);
                    }
                    drained.clear();
                    commit();
                }
                long now = System.nanoTime();
                if (now - nextLeaseCheck >= 0) {
                    maintain(() -> queues.expireLeases(batch));
                    nextLeaseCheck = now + leaseCheckNanos;
                }
                if (now - nextRetention >= 0) {
                    maintain(() -> streams.enforceRetention(batch, maxRetentionDeletes));
                    nextRetention = now + retentionNanos;
                }
                if (closing && pending.isEmpty()) {
                    break;
                }
            }
        } finally {
            exited = true;
            Op<?> left;
            while ((left = pending.poll()) != null) {
                left.future().completeExceptionally(new StoreException(StoreException.Reason.CLOSED, "store is closed"));
            }
            batch.writeBatch.close();
        }
    }

    private void linger(List<Op<?>> drained) {
        long deadline = System.nanoTime() + lingerNanos;
        while (drained.size() < maxBatch) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            try {
                Op<?> next = pending.poll(left, TimeUnit.NANOSECONDS);
                if (next == null) {
                    return;
                }
                drained.add(next);
                pending.drainTo(drained, maxBatch - drained.size());
            } catch (InterruptedException e) {
                closing = true;
                return;
            }
        }
    }

    private <T> void process(Op<T> op) {
        if (op == WAKE) {
            return;
        }
        StoreException failed = failure;
        if (failed != null) {
            op.future().completeExceptionally(failed);
            return;
        }
        T value;
        try {
            value = op.work().apply(batch);
        } catch (RocksDBException e) {
            fail(e);
            op.future().completeExceptionally(failure);
            return;
        } catch (RuntimeException e) {
            // A refusal (QUEUE_FULL, bad argument) raised before the work changed any state.
            op.future().completeExceptionally(e);
            return;
        }
        batch.complete(op.future(), value);
    }

    private interface Maintenance {
        void run() throws RocksDBException;
    }

    private void maintain(Maintenance task) {
        if (failure != null) {
            return;
        }
        try {
            task.run();
            commit();
        } catch (RocksDBException e) {
            fail(e);
        } catch (RuntimeException e) {
            log.error("store maintenance failed", e);
        }
    }

    private void commit() {
        try {
            batch.commit();
        } catch (RocksDBException e) {
            fail(e);
        }
    }

    private void fail(RocksDBException e) {
        if (failure == null) {
            failure = new StoreException(StoreException.Reason.FAILED, "store write failed, no longer accepting writes: " + e.getMessage(), e);
            log.error("store write failed, the store stops accepting writes: {}", e.getMessage());
        }
        batch.failAll(failure);
    }

    /**
     * The batch being built on the writer thread: the RocksDB write batch, the stages to complete once
     * it is written, and the streams and queues whose metadata it must carry.
     */
    final class Batch {
        final WriteBatch writeBatch = new WriteBatch();
        private final List<CompletableFuture<Object>> futures = new ArrayList<>();
        private final List<Object> values = new ArrayList<>();
        /** Appends to streams that have tail subscribers, handed to them once committed. */
        private final List<dev.switchboard.core.spi.StreamStore.StoredMessage> appended = new ArrayList<>();

        void appended(dev.switchboard.core.spi.StreamStore.StoredMessage m) {
            appended.add(m);
        }

        @SuppressWarnings("unchecked")
        private <T> void complete(CompletableFuture<T> future, T value) {
            futures.add((CompletableFuture<Object>) future);
            values.add(value);
        }

        /** Writes what is pending (metadata included), then completes the stages of the ops it carried. */
        void commit() throws RocksDBException {
            if (failure != null) {
                failAll(failure);
                return;
            }
            streams.writeDirtyMeta(this);
            queues.writeDirtyMeta(this);
            if (writeBatch.count() > 0) {
                rocks.db.write(rocks.writeOptions, writeBatch);
                writeBatch.clear();
                commits++;
                committedOps += futures.size();
            }
            for (int i = 0; i < appended.size(); i++) {
                tails.onAppended(appended.get(i));
            }
            appended.clear();
            for (int i = 0; i < futures.size(); i++) {
                futures.get(i).complete(values.get(i));
            }
            futures.clear();
            values.clear();
        }

        void failAll(StoreException e) {
            writeBatch.clear();
            appended.clear();
            for (CompletableFuture<Object> f : futures) {
                f.completeExceptionally(e);
            }
            futures.clear();
            values.clear();
        }
    }
}
