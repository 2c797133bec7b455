package dev.switchboard.store;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.LRUCache;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WALRecoveryMode;
import org.rocksdb.WriteBufferManager;
import org.rocksdb.WriteOptions;

/**
 * The RocksDB instance, its column families and native option objects, opened and closed as one.
 *
 * <p>Recovery: {@link WALRecoveryMode#PointInTimeRecovery}. After a crash the WAL is replayed up to
 * the first record that is incomplete or corrupt and everything after it is dropped: the database
 * opens at a consistent prefix of the acknowledged history. A torn tail can only hold writes whose
 * batch was not yet acknowledged under FSYNC (their fsync had not returned), so nothing acknowledged
 * is lost. {@code TolerateCorruptedTailRecords} would refuse to open on corruption that is not at the
 * very end, and {@code SkipAnyCorruptedRecords} could open with a hole in the middle of a stream,
 * which dense offsets forbid. {@code AbsoluteConsistency} refuses to open after an ordinary torn tail.
 *
 * <p>Atomic flush is on: all column families are flushed together, so that after a point-in-time
 * recovery no column family holds data newer than another's (a stream's entries and its metadata are
 * always written in the same batch and must stay together).
 *
 * <p>Not thread-confined: RocksDB handles are thread-safe. {@link #close()} must run only after every
 * thread using the handles has stopped (native use-after-free otherwise).
 */
final class RocksContext implements AutoCloseable {

    static {
        RocksDB.loadLibrary();
    }

    final RocksDB db;
    final ColumnFamilyHandle streamData;
    final ColumnFamilyHandle streamMeta;
    final ColumnFamilyHandle queueMessages;
    final ColumnFamilyHandle queueState;
    final ColumnFamilyHandle queueDead;
    final ColumnFamilyHandle queueMeta;
    final WriteOptions writeOptions;

    private final DBOptions dbOptions;
    private final ColumnFamilyOptions cfOptions;
    private final LRUCache blockCache;
    private final WriteBufferManager writeBuffers;
    private final LRUCache memtableAccounting;
    private final BloomFilter bloom;
    private final List<ColumnFamilyHandle> handles;

    private RocksContext(RocksDB db, List<ColumnFamilyHandle> handles, DBOptions dbOptions, ColumnFamilyOptions cfOptions,
                         LRUCache blockCache, WriteBufferManager writeBuffers, LRUCache memtableAccounting, BloomFilter bloom,
                         WriteOptions writeOptions) {
        this.db = db;
        this.handles = handles;
        // handles.get(0) is the default column family, unused.
        this.streamData = handles.get(1);
        this.streamMeta = handles.get(2);
        this.queueMessages = handles.get(3);
        this.queueState = handles.get(4);
        this.queueDead = handles.get(5);
        this.queueMeta = handles.get(6);
        this.dbOptions = dbOptions;
        this.cfOptions = cfOptions;
        this.blockCache = blockCache;
        this.writeBuffers = writeBuffers;
        this.memtableAccounting = memtableAccounting;
        this.bloom = bloom;
        this.writeOptions = writeOptions;
    }

    static RocksContext open(Path directory, Durability durability) throws RocksDBException {
        try {
            Files.createDirectories(directory);
        } catch (java.io.IOException e) {
            throw new RocksDBException("cannot create data directory " + directory + ": " + e.getMessage());
        }
        DBOptions dbOptions = new DBOptions()
                .setCreateIfMissing(true)
                .setCreateMissingColumnFamilies(true)
                .setWalRecoveryMode(WALRecoveryMode.PointInTimeRecovery)
                .setAtomicFlush(true)
                // false is the default, stated because OS durability depends on it: every write reaches
                // the OS (write(2)) before RocksDB returns, so a process crash cannot lose it.
                .setManualWalFlush(false)
                // Bounds the WAL: past this size the memtables are flushed and old WAL files dropped.
                // Above the memtable budget (256 MB below), so that it does not force early flushes.
                .setMaxTotalWalSize(512L << 20)
                // Flushes and compactions mostly wait on the disk; 4 jobs keep a flush from queueing
                // behind a long compaction even on 2 cores.
                .setMaxBackgroundJobs(4)
                .setKeepLogFileNum(3)
                .setInfoLogLevel(InfoLogLevel.WARN_LEVEL);
        LRUCache cache = new LRUCache(64L << 20);
        BloomFilter bloom = new BloomFilter(10);
        // Sized for a sustained append stream: with two 32 MB memtables per column family, a run of
        // 1 KB appends at 150k msg/s stopped writes 28 times per GB waiting for a memtable flush
        // ("memtable-limit-stops"); four 64 MB memtables absorb the flush latency (0-2 stops). The
        // write buffer manager caps all memtables together, whatever the number of column families.
        // L0/L1 are not compressed: flushes stay cheap and compaction compresses data that lives longer
        // (RocksDB's tuning guide's advice).
        // Memtable memory is accounted in a cache of its own, so that it never evicts data blocks.
        LRUCache memtableAccounting = new LRUCache(256L << 20);
        WriteBufferManager writeBuffers = new WriteBufferManager(256L << 20, memtableAccounting);
        dbOptions.setWriteBufferManager(writeBuffers);
        ColumnFamilyOptions cfOptions = new ColumnFamilyOptions()
                .setWriteBufferSize(64L << 20)
                .setMaxWriteBufferNumber(4)
                .setCompressionPerLevel(List.of(CompressionType.NO_COMPRESSION, CompressionType.NO_COMPRESSION,
                        CompressionType.LZ4_COMPRESSION, CompressionType.LZ4_COMPRESSION, CompressionType.LZ4_COMPRESSION,
                        CompressionType.LZ4_COMPRESSION, CompressionType.LZ4_COMPRESSION))
                .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(cache).setFilterPolicy(bloom));
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions));
        for (String name : List.of("stream-data", "stream-meta", "queue-messages", "queue-state", "queue-dead", "queue-meta")) {
            descriptors.add(new ColumnFamilyDescriptor(name.getBytes(StandardCharsets.UTF_8), cfOptions));
        }
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        WriteOptions writeOptions = new WriteOptions().setSync(durability == Durability.FSYNC);
        try {
            RocksDB db = RocksDB.open(dbOptions, directory.toString(), descriptors, handles);
            return new RocksContext(db, handles, dbOptions, cfOptions, cache, writeBuffers, memtableAccounting, bloom, writeOptions);
        } catch (RocksDBException | RuntimeException e) {
            writeOptions.close();
            cfOptions.close();
            dbOptions.close();
            writeBuffers.close();
            memtableAccounting.close();
            bloom.close();
            cache.close();
            throw e;
        }
    }

    private static final java.util.regex.Pattern WAL_SYNCS =
            java.util.regex.Pattern.compile("Cumulative WAL: \\S+ writes, (\\d+)([KMG]?) syncs");

    /**
     * WAL fsyncs RocksDB made since open, read from its own DB statistics ({@code rocksdb.dbstats},
     * kept whether or not a {@code Statistics} object is configured, so this costs the write path
     * nothing). RocksDB prints counts of 10 000 and more rounded to K, M or G; exact below that.
     * For tests that check what a durability policy really does; not a hot-path call.
     */
    long walSyncs() throws RocksDBException {
        String stats = db.getProperty("rocksdb.dbstats");
        java.util.regex.Matcher m = WAL_SYNCS.matcher(stats);
        if (!m.find()) {
            throw new IllegalStateException("no 'Cumulative WAL' line in rocksdb.dbstats:\n" + stats);
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "K" -> n * 1_000;
            case "M" -> n * 1_000_000;
            case "G" -> n * 1_000_000_000;
            default -> n;
        };
    }

    /**
     * Makes everything written so far durable and closes. Flushing the memtables on close means the
     * next open does not replay the WAL.
     */
    @Override
    public void close() {
        try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
            db.syncWal();
            db.flush(flush, handles);
        } catch (RocksDBException e) {
            // The WAL still holds everything written; the next open replays it.
            org.slf4j.LoggerFactory.getLogger(RocksContext.class).warn("store flush on close failed: {}", e.getMessage());
        }
        for (ColumnFamilyHandle h : handles) {
            h.close();
        }
        try {
            db.closeE();
        } catch (RocksDBException e) {
            org.slf4j.LoggerFactory.getLogger(RocksContext.class).warn("store close failed: {}", e.getMessage());
        }
        writeOptions.close();
        cfOptions.close();
        dbOptions.close();
        writeBuffers.close();
        memtableAccounting.close();
        bloom.close();
        blockCache.close();
    }
}
