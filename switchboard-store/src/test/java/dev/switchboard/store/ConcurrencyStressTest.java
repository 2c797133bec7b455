package dev.switchboard.store;

import dev.switchboard.core.spi.RetentionPolicy;
import dev.switchboard.core.spi.StoreException;
import static dev.switchboard.store.Await.get;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.spi.StreamStore.ReadResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many threads append to a few streams while retention runs every 10 ms and readers read from random
 * offsets: offsets stay dense per stream, each producer's messages keep their order, and every read is
 * one consistent picture (starts at max(from, first), no gap, truncated exactly when from < first).
 */
class ConcurrencyStressTest {

    @TempDir
    Path dir;

    @Test
    void appendsRetentionAndReadsInterleaveConsistently() throws Exception {
        int producers = 4;
        int perProducer = 3000;
        String[] streams = {"a", "b", "c"};
        RetentionPolicy keep500 = RetentionPolicy.newBuilder().maxMessages(500).build();
        StoreConfig config = StoreConfig.newBuilder(dir).retention(keep500).retentionInterval(Duration.ofMillis(10)).build();
        try (EmbeddedStore store = EmbeddedStore.open(config)) {
            ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicLong reads = new AtomicLong();
            // A thread that throws must not vanish silently: its exception is a problem like any other.
            Thread.UncaughtExceptionHandler collect = (t, e) -> problems.add(t.getName() + " died: " + e);
            List<Thread> threads = new ArrayList<>();
            CountDownLatch producersDone = new CountDownLatch(producers);
            for (int p = 0; p < producers; p++) {
                int producer = p;
                threads.add(new Thread(() -> {
                    List<CompletionStage<Long>> last = new ArrayList<>();
                    long[] lastOffset = new long[streams.length];
                    java.util.Arrays.fill(lastOffset, -1);
                    for (int i = 0; i < perProducer; i++) {
                        int s = i % streams.length;
                        CompletionStage<Long> stage = store.append(streams[s], java.util.UUID.randomUUID().toString(), (producer + ":" + i).getBytes(UTF_8));
                        // One producer's appends to one stream must get increasing offsets.
                        stage.thenAccept(offset -> {
                            synchronized (lastOffset) {
                                if (offset <= lastOffset[s]) {
                                    problems.add("producer " + producer + " stream " + streams[s] + ": " + offset + " after " + lastOffset[s]);
                                }
                                lastOffset[s] = offset;
                            }
                        });
                        if (i % 200 == 0) {
                            get(stage); // stay within the pending bound
                        }
                        last.add(stage);
                    }
                    last.forEach(Await::get);
                    producersDone.countDown();
                }, "producer-" + p));
            }
            for (int r = 0; r < 2; r++) {
                threads.add(new Thread(() -> {
                    while (writing.get()) {
                        String stream = streams[ThreadLocalRandom.current().nextInt(streams.length)];
                        long from = ThreadLocalRandom.current().nextLong(0, producers * perProducer / streams.length + 1);
                        ReadResult res = get(store.read(stream, from, 300));
                        long expectedStart = Math.max(from, res.firstPosition());
                        if (res.truncated() != (from < res.firstPosition())) {
                            problems.add("truncated=" + res.truncated() + " for from " + from + " first " + res.firstPosition());
                        }
                        for (int i = 0; i < res.messages().size(); i++) {
                            if (res.messages().get(i).position() != expectedStart + i) {
                                problems.add("read of " + stream + " from " + from + ": offset " + res.messages().get(i).position()
                                        + " at index " + i + ", first " + res.firstPosition());
                                break;
                            }
                        }
                        if (!res.messages().isEmpty() && expectedStart + res.messages().size() > res.endPosition()) {
                            problems.add("read past nextOffset");
                        }
                        reads.incrementAndGet();
                    }
                }, "reader-" + r));
            }
            threads.forEach(t -> t.setUncaughtExceptionHandler(collect));
            threads.forEach(Thread::start);
            assertThat(producersDone.await(120, TimeUnit.SECONDS)).as("producers done; problems: %s", problems).isTrue();
            writing.set(false);
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(60));
                assertThat(t.isAlive()).as("%s still running", t.getName()).isFalse();
            }
            assertThat(problems).isEmpty();
            // The readers overlapped the writes: without reads the consistency checks above saw nothing.
            // Each read is one store round trip; 12 000 appends leave time for far more than this.
            assertThat(reads.get()).as("reads done while writing").isGreaterThanOrEqualTo(50);
            get(store.enforceRetention());
            long total = 0;
            for (String s : streams) {
                long next = get(store.endPosition(s));
                total += next;
                ReadResult all = get(store.read(s, 0, 10_000));
                assertThat(all.firstPosition()).isEqualTo(next - 500);
                assertThat(all.messages()).hasSize(500);
                assertThat(all.messages().get(499).position()).isEqualTo(next - 1);
            }
            assertThat(total).isEqualTo((long) producers * perProducer);
        }
    }
}
