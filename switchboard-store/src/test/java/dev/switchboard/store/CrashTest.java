package dev.switchboard.store;

import dev.switchboard.core.spi.RetentionPolicy;
import dev.switchboard.core.spi.StoreException;
import static dev.switchboard.store.Await.get;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.spi.QueueStore.QueuedMessage;
import dev.switchboard.core.spi.StreamStore.ReadResult;
import dev.switchboard.core.spi.StreamStore.StoredMessage;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kill -9 of a real process writing with FSYNC durability, then recovery on the same directory:
 * nothing the store acknowledged may be lost, duplicated or reordered.
 *
 * <p>The kill point and the torn-tail cut are random; each run prints its seed ("CrashTest seed=N")
 * and failures name it. Replay one with {@code -Dcrash.seed=N}.
 */
class CrashTest {

    private static final Logger LOG = LoggerFactory.getLogger(CrashTest.class);

    @TempDir
    Path dir;

    private long seed;
    private Random random;

    @BeforeEach
    void seed(TestInfo test) {
        seed = Long.getLong("crash.seed", System.nanoTime());
        random = new Random(seed);
        LOG.info("CrashTest seed={} for {} (replay with -Dcrash.seed={})", seed, test.getDisplayName(), seed);
    }

    /** One line the child printed, and the size of its WAL when the parent read it (-1 if not measured). */
    private record Ack(String line, long walBytesWhenRead) {}

    private List<String> runAndKill(String mode, int minAcks, int maxAcks) throws Exception {
        return runAndKill(mode, minAcks, maxAcks, false).stream().map(Ack::line).toList();
    }

    /**
     * Runs the workload in a child JVM and SIGKILLs it after a random number of acknowledged writes.
     * With {@code measureWal}, notes for each line the size of the write-ahead log when it was read:
     * the write that line acknowledges was synced before it was printed, so its bytes lie wholly
     * within that size.
     */
    private List<Ack> runAndKill(String mode, int minAcks, int maxAcks, boolean measureWal) throws Exception {
        int killAfter = minAcks + random.nextInt(maxAcks - minAcks);
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", classpath, CrashWorkload.class.getName(), mode, dir.toString())
                .redirectError(dir.resolveSibling(dir.getFileName() + "-child.err").toFile())
                .start();
        List<Ack> lines = new ArrayList<>();
        Path walFile = null;
        int acks = 0;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (!line.equals("READY")) {
                    if (measureWal && walFile == null) {
                        walFile = wal(dir);
                    }
                    // A stat per line, not a listing: the less the reader lags, the tighter the bound.
                    lines.add(new Ack(line, measureWal ? Files.size(walFile) : -1));
                    if (++acks == killAfter) {
                        // SIGKILL through the handle: Process.destroyForcibly() would also close our end of
                        // the pipe, and the lines already printed (acknowledged) must still be read.
                        child.toHandle().destroyForcibly();
                    }
                }
            }
        } finally {
            child.destroyForcibly();
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(acks).as("child exited before the kill (see %s-child.err), seed %s", dir.getFileName(), seed)
                .isGreaterThanOrEqualTo(killAfter);
        assertThat(child.exitValue()).isEqualTo(137);
        return lines;
    }

    /** The write-ahead log: the one {@code .log} file of a store that has not flushed a memtable yet. */
    private static Path wal(Path dir) throws java.io.IOException {
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(dir)) {
            List<Path> logs = files.filter(p -> p.getFileName().toString().endsWith(".log")).toList();
            assertThat(logs).as("WAL files in %s", dir).hasSize(1);
            return logs.get(0);
        }
    }


    @RepeatedTest(2)
    void everyAcknowledgedAppendSurvivesKill9InOrderExactlyOnce() throws Exception {
        List<String> lines = runAndKill("stream", 500, 5000);
        Map<Long, Long> acked = new HashMap<>();
        for (String line : lines) {
            String[] f = line.split(" ");
            assertThat(f[0]).isEqualTo("A");
            acked.put(Long.parseLong(f[1]), Long.parseLong(f[2]));
        }
        long maxAcked = acked.keySet().stream().mapToLong(Long::longValue).max().orElseThrow();

        try (EmbeddedStore store = EmbeddedStore.open(StoreConfig.newBuilder(dir).retention(RetentionPolicy.unlimited()).build())) {
            long next = get(store.endPosition("room"));
            assertThat(next).isGreaterThan(maxAcked);
            List<StoredMessage> all = new ArrayList<>();
            while (all.size() < next) {
                ReadResult r = get(store.read("room", all.size(), 10_000));
                assertThat(r.truncated()).isFalse();
                all.addAll(r.messages());
            }
            assertThat(all).hasSize((int) next);
            for (int offset = 0; offset < all.size(); offset++) {
                StoredMessage m = all.get(offset);
                assertThat(m.position()).isEqualTo(offset);
                // One producer submitted p0, p1, ... in order: offset k must hold p<k>, once.
                assertThat(new String(m.payload(), UTF_8)).isEqualTo("p" + offset);
            }
            acked.forEach((offset, index) -> assertThat(offset).isEqualTo(index));
            // Appending after recovery continues the dense sequence.
            assertThat(get(store.append("room", java.util.UUID.randomUUID().toString(), "after".getBytes(UTF_8)))).isEqualTo(next);
        }
    }

    @RepeatedTest(2)
    void everyStoredButUnackedQueueMessageIsRedeliveredAfterKill9() throws Exception {
        List<String> lines = runAndKill("queue", 500, 5000);
        Map<Long, Long> enqueued = new HashMap<>();
        Set<Long> ackSubmitted = new HashSet<>();
        Set<Long> consumerAcked = new HashSet<>();
        for (String line : lines) {
            String[] f = line.split(" ");
            if (f[0].equals("E")) {
                enqueued.put(Long.parseLong(f[1]), Long.parseLong(f[2]));
            } else if (f[0].equals("S")) {
                ackSubmitted.add(Long.parseLong(f[1]));
            } else {
                assertThat(f[0]).isEqualTo("C");
                consumerAcked.add(Long.parseLong(f[1]));
            }
        }
        assertThat(consumerAcked).as("the consumer acked something before the kill").isNotEmpty();

        try (EmbeddedStore store = EmbeddedStore.open(StoreConfig.newBuilder(dir).build())) {
            Map<Long, String> redelivered = new HashMap<>();
            List<QueuedMessage> batch;
            while (!(batch = get(store.lease("inbox", 10_000, Duration.ofMinutes(5)))).isEmpty()) {
                for (QueuedMessage m : batch) {
                    assertThat(redelivered.put(m.id(), new String(m.payload(), UTF_8))).as("delivered twice: %s", m.id()).isNull();
                }
            }
            assertThat(get(store.depth("inbox"))).isEqualTo(redelivered.size());
            enqueued.forEach((id, index) -> {
                // An ack submitted but not confirmed may or may not have been stored: either outcome is right.
                if (!ackSubmitted.contains(id)) {
                    assertThat(redelivered).as("stored, not acked, must come back: %s", id).containsEntry(id, "q" + index);
                }
            });
            for (long id : consumerAcked) {
                assertThat(redelivered).as("acked, must stay gone: %s", id).doesNotContainKey(id);
            }
            redelivered.forEach((id, payload) -> assertThat(payload).isEqualTo("q" + id));
        }
    }

    /**
     * A torn tail: after a kill -9 the last bytes of the write-ahead log are cut off (a write the disk
     * only partly made) or overwritten with garbage. The store must open, keep a dense prefix of the
     * stream, and keep its metadata in step with the data it kept.
     */
    @RepeatedTest(2)
    void aTornOrCorruptWalTailIsCutOnRecovery(org.junit.jupiter.api.RepetitionInfo repetition) throws Exception {
        List<Ack> acks = runAndKill("stream", 500, 3000, true);
        Path wal = wal(dir); // the same single file measured during the run
        long size = java.nio.file.Files.size(wal);
        assertThat(size).as("the kill left records in the WAL").isGreaterThan(4096);
        int cut = 1 + random.nextInt(3999);
        long cutPoint = size - cut;
        // Appends acknowledged while the WAL was no longer than the cut point are wholly before it.
        List<Long> beforeCut = acks.stream().filter(a -> a.walBytesWhenRead() <= cutPoint)
                .map(a -> Long.parseLong(a.line().split(" ")[1])).toList();
        assertThat(beforeCut).as("acknowledged appends wholly before the cut (seed %s)", seed).isNotEmpty();
        long mustSurvive = beforeCut.stream().mapToLong(Long::longValue).max().orElseThrow() + 1;
        LOG.info("WAL {} bytes, cut {} bytes, {} of {} acknowledged appends before the cut (offsets < {})",
                size, cut, beforeCut.size(), acks.size(), mustSurvive);
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(wal, java.nio.file.StandardOpenOption.WRITE)) {
            if (repetition.getCurrentRepetition() == 1) {
                ch.truncate(size - cut);
            } else {
                byte[] garbage = new byte[cut];
                random.nextBytes(garbage);
                ch.write(java.nio.ByteBuffer.wrap(garbage), size - cut);
            }
        }
        try (EmbeddedStore store = EmbeddedStore.open(StoreConfig.newBuilder(dir).retention(RetentionPolicy.unlimited()).build())) {
            long next = get(store.endPosition("room"));
            // The lower bound: recovery may drop the torn tail, never what was acknowledged before it.
            assertThat(next).as("offsets kept after cutting %s of %s WAL bytes (seed %s)", cut, size, seed)
                    .isGreaterThanOrEqualTo(mustSurvive);
            List<StoredMessage> all = new ArrayList<>();
            while (all.size() < next) {
                ReadResult r = get(store.read("room", all.size(), 10_000));
                assertThat(r.endPosition()).isEqualTo(next);
                all.addAll(r.messages());
            }
            for (int offset = 0; offset < all.size(); offset++) {
                assertThat(new String(all.get(offset).payload(), UTF_8)).isEqualTo("p" + offset);
            }
            assertThat(get(store.append("room", java.util.UUID.randomUUID().toString(), "after".getBytes(UTF_8)))).isEqualTo(next);
        }
    }
}
