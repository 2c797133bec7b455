package dev.switchboard.store;

import dev.switchboard.core.spi.StoreException;
import dev.switchboard.core.spi.QueueStore.QueuedMessage;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reliable queues: ids, leases, redelivery and dead letters.
 *
 * <p>Thread confinement: every method runs on the writer thread (see {@link Writer}), no locks.
 *
 * <p>States of a message: <em>fresh</em> (stored, never leased since open; ids {@code >= cursor})
 * → <em>leased</em> ({@code inflight}, with a deadline) → acked (deleted) or back to
 * <em>redeliverable</em> ({@code redeliver}, ids below the cursor) when the lease expires or is
 * released → leased again ... → <em>dead</em> (moved to the dead-letter column family) when a lease
 * ends unacked after {@code deliveryLimit} deliveries.
 *
 * <p>What is durable: the message, its delivery count (written with each lease, so a crash cannot
 * reset it and dodge the delivery limit), the queue's next id and depth. Leases are not: after a
 * restart every unacked message is deliverable again (RabbitMQ requeues the unacked messages of a
 * lost consumer the same way). Lease writes are not waited on before handing out messages beyond the
 * group commit they ride in: an under-counted delivery after a crash only delays dead-lettering.
 *
 * <p>Memory: per queue, the leased and redeliverable ids (bounded by {@code maxQueueDepth}); never the
 * fresh backlog, which is read from RocksDB from the cursor on.
 */
final class QueueBook {

    private static final Logger log = LoggerFactory.getLogger(QueueBook.class);

    static final class State {
        final String id;
        final byte[] name;
        long nextId;
        long depth;
        /** Lowest id that may be fresh; every stored id below it is leased or redeliverable. */
        long cursor;
        /** Ids up to this one may carry a delivery count from before the restart. */
        long maxCountedIdAtOpen = -1;
        final TreeMap<Long, Integer> redeliver = new TreeMap<>();
        final Map<Long, Lease> inflight = new HashMap<>();
        boolean dirty;

        State(String id, byte[] name) {
            this.id = id;
            this.name = name;
        }
    }

    private static final class Lease {
        final State queue;
        final long id;
        final int deliveries;
        final long deadline;

        Lease(State queue, long id, int deliveries, long deadline) {
            this.queue = queue;
            this.id = id;
            this.deliveries = deliveries;
            this.deadline = deadline;
        }
    }

    private final RocksContext rocks;
    private final Clock clock;
    private final int deliveryLimit;
    private final long maxDepth;
    private final Map<String, State> queues = new HashMap<>();
    private final DedupWindow dedup;
    private final List<State> dirty = new ArrayList<>();
    /** Every lease by deadline; acked or released leases stay until popped or purged (see {@link #purgeIfStale}). */
    private final PriorityQueue<Lease> byDeadline = new PriorityQueue<>((a, b) -> Long.compare(a.deadline, b.deadline));
    private long inflightTotal;

    volatile long enqueues;
    volatile long duplicates;
    volatile long rejectedQueueFull;
    volatile long redeliveries;
    volatile long deadLettered;

    QueueBook(RocksContext rocks, StoreConfig config) {
        this.rocks = rocks;
        this.clock = config.clock();
        this.deliveryLimit = config.deliveryLimit();
        this.maxDepth = config.maxQueueDepth();
        this.dedup = new DedupWindow(config.dedupWindowEntries(), config.dedupWindow().toMillis());
    }

    /** Loads every queue's metadata; runs once on the opening thread before the writer starts. */
    int recover() {
        try (RocksIterator it = rocks.db.newIterator(rocks.queueMeta)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                State q = new State(Keys.nameOfMeta(it.key()), it.key());
                q.nextId = Keys.metaField(it.value(), 0);
                q.depth = Keys.metaField(it.value(), 1);
                long last = lastId(rocks.queueMessages, q.name);
                if (last + 1 > q.nextId) {
                    log.warn("queue {}: last stored id {} is past the recorded next id {}, using {}", q.id, last, q.nextId, last + 1);
                    q.nextId = last + 1;
                }
                q.maxCountedIdAtOpen = lastId(rocks.queueState, q.name);
                queues.put(q.id, q);
            }
        }
        return queues.size();
    }

    private long lastId(org.rocksdb.ColumnFamilyHandle cf, byte[] name) {
        try (RocksIterator it = rocks.db.newIterator(cf)) {
            it.seekForPrev(Keys.key(name, Long.MAX_VALUE));
            return it.isValid() && StreamLog.hasName(it.key(), name) ? Keys.sequence(it.key()) : -1;
        }
    }

    /** Stores a message and returns its id; a dedup key still in the window returns the first id and stores nothing. */
    long enqueue(Writer.Batch batch, String id, byte[] name, String dedupKey, byte[] payload) throws RocksDBException {
        long now = clock.millis();
        String windowKey = DedupWindow.key(id, dedupKey);
        long seen = dedup.find(windowKey, now);
        if (seen != Long.MIN_VALUE) {
            duplicates++;
            return seen;
        }
        State q = queues.get(id);
        if (q == null) {
            q = new State(id, name);
            queues.put(id, q);
        }
        if (q.depth >= maxDepth) {
            rejectedQueueFull++;
            throw new StoreException(StoreException.Reason.QUEUE_FULL, "queue " + id + " holds " + q.depth + " messages, the configured maximum");
        }
        long msgId = q.nextId;
        batch.writeBatch.put(rocks.queueMessages, Keys.key(q.name, msgId), Keys.streamValue(now, payload));
        dedup.remember(windowKey, msgId, now);
        q.nextId = msgId + 1;
        q.depth++;
        markDirty(q);
        enqueues++;
        return msgId;
    }

    List<QueuedMessage> lease(Writer.Batch batch, String id, int max, long timeoutMillis) throws RocksDBException {
        State q = queues.get(id);
        if (q == null || q.depth == 0) {
            return List.of();
        }
        // No commit first: the scan sees committed messages only, and those are always a prefix of the
        // queue's ids (ids are given in order and batches commit in order). A message still in the
        // uncommitted batch is not acknowledged to its publisher yet; the next lease finds it, because
        // the cursor only ever moves past ids the scan has seen. Forcing a commit here would cost an
        // extra fsync per lease under FSYNC.
        long deadline = clock.millis() + timeoutMillis;
        List<QueuedMessage> out = new ArrayList<>(Math.min(max, 64));
        while (out.size() < max && !q.redeliver.isEmpty()) {
            Map.Entry<Long, Integer> e = q.redeliver.pollFirstEntry();
            byte[] value = rocks.db.get(rocks.queueMessages, Keys.key(q.name, e.getKey()));
            if (value != null) {
                out.add(grant(batch, q, e.getKey(), e.getValue() + 1, deadline, value));
            }
        }
        if (out.size() < max && q.cursor < q.nextId) {
            try (Slice lower = new Slice(Keys.key(q.name, q.cursor));
                 Slice upper = new Slice(Keys.key(q.name, q.nextId));
                 ReadOptions ro = new ReadOptions().setIterateLowerBound(lower).setIterateUpperBound(upper);
                 RocksIterator it = rocks.db.newIterator(rocks.queueMessages, ro)) {
                for (it.seekToFirst(); it.isValid() && out.size() < max; it.next()) {
                    long msgId = Keys.sequence(it.key());
                    q.cursor = msgId + 1;
                    int before = 0;
                    if (msgId <= q.maxCountedIdAtOpen) {
                        byte[] count = rocks.db.get(rocks.queueState, it.key());
                        before = count == null ? 0 : Keys.deliveries(count);
                    }
                    if (before >= deliveryLimit) {
                        // Delivered to the limit before a restart, never acked.
                        deadLetter(batch, q, msgId, it.value(), before);
                        continue;
                    }
                    out.add(grant(batch, q, msgId, before + 1, deadline, it.value()));
                }
            }
        }
        return out;
    }

    private QueuedMessage grant(Writer.Batch batch, State q, long msgId, int deliveries, long deadline, byte[] value)
            throws RocksDBException {
        Lease lease = new Lease(q, msgId, deliveries, deadline);
        q.inflight.put(msgId, lease);
        byDeadline.add(lease);
        inflightTotal++;
        batch.writeBatch.put(rocks.queueState, Keys.key(q.name, msgId), Keys.deliveries(deliveries));
        return new QueuedMessage(q.id, msgId, Keys.millis(value), deliveries, Keys.payloadAfterMillis(value),
                new EmbeddedDelivery(q.id, msgId, deliveries));
    }

    void ack(Writer.Batch batch, String id, long msgId) throws RocksDBException {
        State q = queues.get(id);
        if (q == null) {
            return;
        }
        if (q.inflight.remove(msgId) != null) {
            inflightTotal--;
            remove(batch, q, msgId);
            purgeIfStale();
        } else if (q.redeliver.remove(msgId) != null) {
            remove(batch, q, msgId);
        } else if (msgId >= q.cursor && msgId < q.nextId) {
            // Acked without a lease since open (e.g. after a restart): only the database knows if it exists.
            batch.commit();
            if (rocks.db.get(rocks.queueMessages, Keys.key(q.name, msgId)) != null) {
                remove(batch, q, msgId);
            }
        }
    }

    /** Ends the lease of {@code attempt}; a release from an older lease (already ended) is ignored. */
    void release(Writer.Batch batch, String id, long msgId, int attempt) throws RocksDBException {
        State q = queues.get(id);
        if (q == null) {
            return;
        }
        Lease current = q.inflight.get(msgId);
        if (current == null || current.deliveries != attempt) {
            return;
        }
        Lease lease = q.inflight.remove(msgId);
        if (lease != null) {
            inflightTotal--;
            endLease(batch, lease);
            purgeIfStale();
        }
    }

    /** Ends every lease whose deadline has passed. */
    void expireLeases(Writer.Batch batch) throws RocksDBException {
        long now = clock.millis();
        Lease head;
        while ((head = byDeadline.peek()) != null && head.deadline <= now) {
            byDeadline.poll();
            if (head.queue.inflight.get(head.id) == head) {
                head.queue.inflight.remove(head.id);
                inflightTotal--;
                endLease(batch, head);
            }
        }
    }

    int deadlineHeapSize() {
        return byDeadline.size();
    }

    long depth(String id) {
        State q = queues.get(id);
        return q == null ? 0 : q.depth;
    }

    private void endLease(Writer.Batch batch, Lease lease) throws RocksDBException {
        State q = lease.queue;
        if (lease.deliveries >= deliveryLimit) {
            byte[] value = rocks.db.get(rocks.queueMessages, Keys.key(q.name, lease.id));
            if (value != null) {
                deadLetter(batch, q, lease.id, value, lease.deliveries);
            }
        } else {
            q.redeliver.put(lease.id, lease.deliveries);
            redeliveries++;
        }
    }

    private void deadLetter(Writer.Batch batch, State q, long msgId, byte[] value, int deliveries) throws RocksDBException {
        byte[] key = Keys.key(q.name, msgId);
        batch.writeBatch.put(rocks.queueDead, key, Keys.deadValue(value, deliveries));
        batch.writeBatch.delete(rocks.queueMessages, key);
        batch.writeBatch.delete(rocks.queueState, key);
        q.depth--;
        markDirty(q);
        deadLettered++;
        log.info("queue {}: message {} dead-lettered after {} deliveries", q.id, msgId, deliveries);
    }

    private void remove(Writer.Batch batch, State q, long msgId) throws RocksDBException {
        byte[] key = Keys.key(q.name, msgId);
        batch.writeBatch.delete(rocks.queueMessages, key);
        batch.writeBatch.delete(rocks.queueState, key);
        q.depth--;
        markDirty(q);
    }

    /**
     * Keeps the deadline heap proportional to the live leases: acked leases with long timeouts would
     * otherwise stay in it until their deadline.
     */
    private void purgeIfStale() {
        if (byDeadline.size() > 2 * inflightTotal + 1024) {
            byDeadline.removeIf(l -> l.queue.inflight.get(l.id) != l);
        }
    }

    private void markDirty(State q) {
        if (!q.dirty) {
            q.dirty = true;
            dirty.add(q);
        }
    }

    void writeDirtyMeta(Writer.Batch batch) throws RocksDBException {
        for (State q : dirty) {
            batch.writeBatch.put(rocks.queueMeta, q.name, Keys.queueMeta(q.nextId, q.depth));
            q.dirty = false;
        }
        dirty.clear();
    }
}
