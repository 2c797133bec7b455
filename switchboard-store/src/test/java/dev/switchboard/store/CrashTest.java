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
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kill -9 of a real process writing with FSYNC durability, then recovery on the same directory:
 * nothing the store acknowledged may be lost, duplicated or reordered.
 */
class CrashTest {

    @TempDir
    Path dir;

    /** Runs the workload in a child JVM and SIGKILLs it after a random number of acknowledged writes. */
    private List<String> runAndKill(String mode, int minAcks, int maxAcks) throws Exception {
        int killAfter = ThreadLocalRandom.current().nextInt(minAcks, maxAcks);
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", classpath, CrashWorkload.class.getName(), mode, dir.toString())
                .redirectError(dir.resolveSibling(dir.getFileName() + "-child.err").toFile())
                .start();
        List<String> lines = new ArrayList<>();
        int acks = 0;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (!line.equals("READY")) {
                    lines.add(line);
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
        assertThat(acks).as("child exited before the kill (see %s-child.err)", dir.getFileName()).isGreaterThanOrEqualTo(killAfter);
        assertThat(child.exitValue()).isEqualTo(137);
        return lines;
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
        runAndKill("stream", 500, 3000);
        Path wal;
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(dir)) {
            wal = files.filter(p -> p.getFileName().toString().endsWith(".log"))
                    .max(java.util.Comparator.comparingLong(p -> p.toFile().length())).orElseThrow();
        }
        long size = java.nio.file.Files.size(wal);
        assertThat(size).as("the kill left records in the WAL").isGreaterThan(4096);
        int cut = ThreadLocalRandom.current().nextInt(1, 4000);
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(wal, java.nio.file.StandardOpenOption.WRITE)) {
            if (repetition.getCurrentRepetition() == 1) {
                ch.truncate(size - cut);
            } else {
                byte[] garbage = new byte[cut];
                ThreadLocalRandom.current().nextBytes(garbage);
                ch.write(java.nio.ByteBuffer.wrap(garbage), size - cut);
            }
        }
        try (EmbeddedStore store = EmbeddedStore.open(StoreConfig.newBuilder(dir).retention(RetentionPolicy.unlimited()).build())) {
            long next = get(store.endPosition("room"));
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
