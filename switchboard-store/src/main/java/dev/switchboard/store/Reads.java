package dev.switchboard.store;

import dev.switchboard.core.spi.QueueStore.QueuedMessage;
import dev.switchboard.core.spi.StreamStore.ReadResult;
import dev.switchboard.core.spi.StreamStore.StoredMessage;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.Snapshot;

/**
 * Stream reads and dead-letter listings. Runs on the reader threads, never on the writer: a long
 * replay does not delay appends.
 *
 * <p>Consistency: each read takes a RocksDB snapshot and reads the stream's metadata row and its
 * entries from it, so {@code firstOffset}, {@code nextOffset}, {@code truncated} and the messages
 * describe one instant even while retention or appends run on the writer thread.
 */
final class Reads {

    private final RocksContext rocks;
    private final int maxBatch;

    Reads(RocksContext rocks, int maxBatch) {
        this.rocks = rocks;
        this.maxBatch = maxBatch;
    }

    ReadResult read(String stream, byte[] name, long fromOffset, int max) throws RocksDBException {
        Snapshot snapshot = rocks.db.getSnapshot();
        try (ReadOptions ro = new ReadOptions().setSnapshot(snapshot)) {
            byte[] meta = rocks.db.get(rocks.streamMeta, ro, name);
            if (meta == null) {
                return new ReadResult(List.of(), 0, 0, false);
            }
            return readFrom(stream, name, snapshot, meta, fromOffset, max, fromOffset < Keys.metaField(meta, 0));
        } finally {
            rocks.db.releaseSnapshot(snapshot);
        }
    }

    ReadResult readFromTime(String stream, byte[] name, long epochMillis, int max) throws RocksDBException {
        Snapshot snapshot = rocks.db.getSnapshot();
        try (ReadOptions ro = new ReadOptions().setSnapshot(snapshot)) {
            byte[] meta = rocks.db.get(rocks.streamMeta, ro, name);
            if (meta == null) {
                return new ReadResult(List.of(), 0, 0, false);
            }
            long first = Keys.metaField(meta, 0);
            long next = Keys.metaField(meta, 1);
            // Something at or after the requested time was dropped by retention.
            boolean truncated = Keys.metaField(meta, 4) >= epochMillis;
            // Append times are non-decreasing in offset order: binary search the first one >= epochMillis.
            long lo = first;
            long hi = next;
            while (lo < hi) {
                long mid = (lo + hi) >>> 1;
                byte[] value = rocks.db.get(rocks.streamData, ro, Keys.key(name, mid));
                if (value == null) {
                    throw new IllegalStateException("stream " + stream + " has no entry at retained offset " + mid);
                }
                if (Keys.entryMillis(value) < epochMillis) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return readFrom(stream, name, snapshot, meta, lo, max, truncated);
        } finally {
            rocks.db.releaseSnapshot(snapshot);
        }
    }

    private ReadResult readFrom(String stream, byte[] name, Snapshot snapshot, byte[] meta, long from, int max, boolean truncated) {
        long first = Keys.metaField(meta, 0);
        long next = Keys.metaField(meta, 1);
        long start = Math.max(from, first);
        long count = Math.min(Math.min(max, maxBatch), next - start);
        if (count <= 0) {
            return new ReadResult(List.of(), first, next, truncated);
        }
        List<StoredMessage> out = new ArrayList<>((int) count);
        try (Slice lower = new Slice(Keys.key(name, start));
             Slice upper = new Slice(Keys.key(name, start + count));
             ReadOptions ro = new ReadOptions().setSnapshot(snapshot).setIterateLowerBound(lower).setIterateUpperBound(upper)
                     .setReadaheadSize(count > 64 ? 2L << 20 : 0);
             RocksIterator it = rocks.db.newIterator(rocks.streamData, ro)) {
            long expected = start;
            for (it.seekToFirst(); it.isValid(); it.next()) {
                long offset = Keys.sequence(it.key());
                if (offset != expected) {
                    // Dense offsets are an invariant; a hole here is corruption, never reported as data.
                    throw new IllegalStateException("stream " + stream + ": expected offset " + expected + ", found " + offset);
                }
                byte[] value = it.value();
                out.add(new StoredMessage(stream, offset, Keys.entryMessageId(value), Keys.entryMillis(value), Keys.entryPayload(value)));
                expected++;
            }
            if (expected != start + count) {
                throw new IllegalStateException("stream " + stream + ": entries " + expected + ".." + (start + count - 1) + " missing");
            }
        }
        return new ReadResult(out, first, next, truncated);
    }

    List<QueuedMessage> deadLetters(String queue, byte[] name, int max) {
        int limit = Math.min(max, maxBatch);
        List<QueuedMessage> out = new ArrayList<>();
        try (Slice lower = new Slice(Keys.key(name, 0));
             Slice upper = new Slice(Keys.key(name, Long.MAX_VALUE));
             ReadOptions ro = new ReadOptions().setIterateLowerBound(lower).setIterateUpperBound(upper);
             RocksIterator it = rocks.db.newIterator(rocks.queueDead, ro)) {
            for (it.seekToFirst(); it.isValid() && out.size() < limit; it.next()) {
                byte[] v = it.value();
                long id = Keys.sequence(it.key());
                int attempts = Keys.deadDeliveries(v);
                out.add(new QueuedMessage(queue, id, Keys.millis(v), attempts, Keys.deadPayload(v), new EmbeddedDelivery(queue, id, attempts)));
            }
        }
        return out;
    }
}
