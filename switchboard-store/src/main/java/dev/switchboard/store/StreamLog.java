package dev.switchboard.store;

import dev.switchboard.core.spi.RetentionPolicy;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write side of durable streams: offsets, append timestamps, byte counts and retention.
 *
 * <p>Thread confinement: every method runs on the writer thread (see {@link Writer}); the state needs
 * no locks. Readers do not look at it: they read the metadata row from a RocksDB snapshot.
 *
 * <p>Per stream the invariants are: entries exist for exactly the offsets {@code [first, next)};
 * {@code next} never decreases, also when retention drops every entry (the metadata row remembers it,
 * so offsets never restart at 0); append timestamps are non-decreasing (clamped to the previous one if
 * the clock steps back), which makes time-based reads a binary search over offsets and age retention
 * a prefix of the stream.
 */
final class StreamLog {

    private static final Logger log = LoggerFactory.getLogger(StreamLog.class);

    private static final long UNKNOWN = Long.MIN_VALUE;

    /** Writer-thread state of one stream; mirrors its metadata row. */
    static final class State {
        final String id;
        final byte[] name;
        final RetentionPolicy retention;
        long first;
        long next;
        long bytes;
        long lastAppendMillis = Long.MIN_VALUE;
        long lastDroppedMillis = Long.MIN_VALUE;
        /**
         * Append time of the entry at {@code first} when known (not persisted; unknown after a restart
         * until retention reads it): lets age retention skip a stream without a disk seek.
         */
        long firstMillis = UNKNOWN;
        boolean dirty;

        State(String id, byte[] name, RetentionPolicy retention) {
            this.id = id;
            this.name = name;
            this.retention = retention;
        }
    }

    private final RocksContext rocks;
    private final StoreConfig config;
    private final Clock clock;
    private final Map<String, State> streams = new HashMap<>();
    private final List<State> dirty = new ArrayList<>();
    private final DedupWindow dedup;
    private final Tails tails;

    volatile long appends;
    volatile long duplicates;
    volatile long retainedDeletes;

    StreamLog(RocksContext rocks, StoreConfig config, Tails tails) {
        this.rocks = rocks;
        this.config = config;
        this.clock = config.clock();
        this.tails = tails;
        this.dedup = new DedupWindow(config.dedupWindowEntries(), config.dedupWindow().toMillis());
    }

    /**
     * Loads every stream's metadata and checks it against the last stored key. Runs once, on the
     * opening thread, before the writer starts.
     */
    int recover() throws RocksDBException {
        try (RocksIterator it = rocks.db.newIterator(rocks.streamMeta)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                String id = Keys.nameOfMeta(it.key());
                byte[] meta = it.value();
                State s = new State(id, it.key(), config.retentionFor(id));
                s.first = Keys.metaField(meta, 0);
                s.next = Keys.metaField(meta, 1);
                s.bytes = Keys.metaField(meta, 2);
                s.lastAppendMillis = Keys.metaField(meta, 3);
                s.lastDroppedMillis = Keys.metaField(meta, 4);
                long last = lastOffset(s.name);
                if (last + 1 > s.next) {
                    // Cannot happen while data and metadata share one atomic batch; recover the safe way.
                    log.warn("stream {}: last stored offset {} is past the recorded next offset {}, using {}", id, last, s.next, last + 1);
                    s.next = last + 1;
                }
                streams.put(id, s);
            }
        }
        refillDedup();
        return streams.size();
    }

    private record Seen(String key, long offset, long millis) {}

    /**
     * Reads back the message ids appended within the de-duplication window, newest first per stream
     * (at most the window's size per stream), so that an append retried across a restart is still
     * recognised. Runs once at open.
     */
    private void refillDedup() {
        long now = clock.millis();
        long cutoff = now - config.dedupWindow().toMillis();
        int max = config.dedupWindowEntries();
        List<Seen> seen = new ArrayList<>();
        try (RocksIterator it = rocks.db.newIterator(rocks.streamData)) {
            for (State s : streams.values()) {
                int n = 0;
                for (it.seekForPrev(Keys.key(s.name, Long.MAX_VALUE)); it.isValid() && hasName(it.key(), s.name) && n < max; it.prev()) {
                    byte[] value = it.value();
                    long millis = Keys.entryMillis(value);
                    if (millis < cutoff) {
                        break;
                    }
                    String messageId = Keys.entryMessageId(value);
                    if (messageId != null) {
                        seen.add(new Seen(DedupWindow.key(s.id, messageId), Keys.sequence(it.key()), millis));
                    }
                    n++;
                }
            }
        }
        seen.sort(java.util.Comparator.comparingLong(Seen::millis).thenComparingLong(Seen::offset));
        for (Seen e : seen) {
            dedup.restore(e.key(), e.offset(), e.millis(), now);
        }
    }

    private long lastOffset(byte[] name) {
        try (RocksIterator it = rocks.db.newIterator(rocks.streamData)) {
            it.seekForPrev(Keys.key(name, Long.MAX_VALUE));
            if (it.isValid() && hasName(it.key(), name)) {
                return Keys.sequence(it.key());
            }
            return -1;
        }
    }

    static boolean hasName(byte[] key, byte[] name) {
        if (key.length != 2 + name.length + 8 || ((key[0] & 0xff) << 8 | (key[1] & 0xff)) != name.length) {
            return false;
        }
        for (int i = 0; i < name.length; i++) {
            if (key[2 + i] != name[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Adds one entry to the batch and returns its offset; a message id still in the de-duplication
     * window returns the offset it got then and adds nothing.
     */
    long append(Writer.Batch batch, String id, byte[] name, String messageId, byte[] messageIdBytes, byte[] payload)
            throws RocksDBException {
        long now = clock.millis();
        String dedupKey = DedupWindow.key(id, messageId);
        long seen = dedup.find(dedupKey, now);
        if (seen != Long.MIN_VALUE) {
            duplicates++;
            return seen;
        }
        State s = state(id, name);
        long millis = Math.max(now, s.lastAppendMillis);
        long offset = s.next;
        batch.writeBatch.put(rocks.streamData, Keys.key(s.name, offset), Keys.streamEntry(millis, messageIdBytes, payload));
        dedup.remember(dedupKey, offset, now);
        if (tails.has(id)) {
            batch.appended(new dev.switchboard.core.spi.StreamStore.StoredMessage(id, offset, messageId, millis, payload));
        }
        if (s.first == s.next) {
            s.firstMillis = millis;
        }
        s.next = offset + 1;
        s.bytes += payload.length;
        s.lastAppendMillis = millis;
        markDirty(s);
        appends++;
        return offset;
    }

    /** The offset the next append to the stream gets. */
    long nextOffset(String id) {
        State s = streams.get(id);
        return s == null ? 0 : s.next;
    }

    private State state(String id, byte[] name) {
        State s = streams.get(id);
        if (s == null) {
            s = new State(id, name, config.retentionFor(id));
            streams.put(id, s);
        }
        return s;
    }

    private void markDirty(State s) {
        if (!s.dirty) {
            s.dirty = true;
            dirty.add(s);
        }
    }

    void writeDirtyMeta(Writer.Batch batch) throws RocksDBException {
        for (State s : dirty) {
            batch.writeBatch.put(rocks.streamMeta, s.name,
                    Keys.streamMeta(s.first, s.next, s.bytes, s.lastAppendMillis, s.lastDroppedMillis));
            s.dirty = false;
        }
        dirty.clear();
    }

    /**
     * Drops the oldest entries of every stream over its limits with one range delete per stream, at
     * most {@code maxDeletesPerStream} entries per stream per run. Commits what the batch holds first,
     * so the iteration sees every append. Returns how many entries were dropped.
     */
    long enforceRetention(Writer.Batch batch, int maxDeletesPerStream) throws RocksDBException {
        batch.commit();
        long now = clock.millis();
        long dropped = 0;
        for (State s : streams.values()) {
            RetentionPolicy p = s.retention;
            if (p.isUnlimited() || s.first == s.next) {
                continue;
            }
            long countFirst = p.maxMessages() > 0 ? Math.max(s.first, s.next - p.maxMessages()) : s.first;
            long cutoff = p.maxAge().isZero() ? Long.MIN_VALUE : now - p.maxAge().toMillis();
            boolean overBytes = p.maxBytes() > 0 && s.bytes > p.maxBytes();
            boolean overAge = cutoff != Long.MIN_VALUE && (s.firstMillis == UNKNOWN || s.firstMillis < cutoff);
            if (countFirst == s.first && !overBytes && !overAge) {
                continue;
            }
            dropped += dropPrefix(batch, s, countFirst, cutoff, p.maxBytes(), maxDeletesPerStream);
        }
        if (dropped > 0) {
            retainedDeletes += dropped;
        }
        return dropped;
    }

    private long dropPrefix(Writer.Batch batch, State s, long countFirst, long cutoffMillis, long maxBytes, int maxDeletes)
            throws RocksDBException {
        long newFirst = s.first;
        long bytes = s.bytes;
        long lastDropped = s.lastDroppedMillis;
        try (Slice lower = new Slice(Keys.key(s.name, s.first));
             Slice upper = new Slice(Keys.key(s.name, s.next));
             ReadOptions ro = new ReadOptions().setIterateLowerBound(lower).setIterateUpperBound(upper);
             RocksIterator it = rocks.db.newIterator(rocks.streamData, ro)) {
            for (it.seekToFirst(); it.isValid() && newFirst - s.first < maxDeletes; it.next()) {
                long offset = Keys.sequence(it.key());
                byte[] value = it.value();
                long millis = Keys.entryMillis(value);
                boolean drop = offset < countFirst || millis < cutoffMillis || (maxBytes > 0 && bytes > maxBytes);
                if (!drop) {
                    s.firstMillis = millis;
                    break;
                }
                bytes -= Keys.entryPayloadLength(value);
                lastDropped = millis;
                newFirst = offset + 1;
            }
        }
        long count = newFirst - s.first;
        if (count == 0) {
            return 0;
        }
        if (newFirst == s.next) {
            s.firstMillis = UNKNOWN; // empty: the next append sets it
        } else if (newFirst - s.first == maxDeletes) {
            s.firstMillis = UNKNOWN; // stopped at the per-run bound: the entry at newFirst was not read
        }
        batch.writeBatch.deleteRange(rocks.streamData, Keys.key(s.name, s.first), Keys.key(s.name, newFirst));
        log.info("stream {}: retention dropped offsets {}..{} ({} messages)", s.id, s.first, newFirst - 1, count);
        s.first = newFirst;
        s.bytes = bytes;
        s.lastDroppedMillis = lastDropped;
        markDirty(s);
        return count;
    }
}
