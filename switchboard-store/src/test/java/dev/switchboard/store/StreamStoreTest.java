package dev.switchboard.store;

import dev.switchboard.core.spi.RetentionPolicy;
import dev.switchboard.core.spi.StoreException;
import static dev.switchboard.store.Await.failure;
import static dev.switchboard.store.Await.get;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.core.spi.StreamStore.ReadResult;
import dev.switchboard.core.spi.StreamStore.StoredMessage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class StreamStoreTest {

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(1_700_000_000_000L);

    private StoreConfig.Builder config() {
        return StoreConfig.newBuilder(dir).clock(clock).retention(RetentionPolicy.unlimited());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }

    private static List<String> payloads(ReadResult r) {
        List<String> out = new ArrayList<>();
        for (StoredMessage m : r.messages()) {
            out.add(new String(m.payload(), UTF_8));
        }
        return out;
    }

    private static List<Long> offsets(ReadResult r) {
        return r.messages().stream().map(StoredMessage::position).toList();
    }

    @ParameterizedTest
    @EnumSource(Durability.class)
    void appendsGetDenseOffsetsPerStreamInSubmissionOrder(Durability durability) {
        try (EmbeddedStore store = EmbeddedStore.open(config().durability(durability).build())) {
            List<CompletionStage<Long>> a = new ArrayList<>();
            List<CompletionStage<Long>> b = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                a.add(store.append("/chat#a", java.util.UUID.randomUUID().toString(), bytes("a" + i)));
                if (i % 2 == 0) {
                    b.add(store.append("/chat#b", java.util.UUID.randomUUID().toString(), bytes("b" + i)));
                }
            }
            for (int i = 0; i < a.size(); i++) {
                assertThat(get(a.get(i))).isEqualTo(i);
            }
            for (int i = 0; i < b.size(); i++) {
                assertThat(get(b.get(i))).isEqualTo(i);
            }
            ReadResult r = get(store.read("/chat#a", 0, 1000));
            assertThat(r.messages()).hasSize(500);
            assertThat(offsets(r)).isEqualTo(java.util.stream.LongStream.range(0, 500).boxed().toList());
            assertThat(payloads(r).get(123)).isEqualTo("a123");
            assertThat(r.firstPosition()).isZero();
            assertThat(r.endPosition()).isEqualTo(500);
            assertThat(r.truncated()).isFalse();
            assertThat(get(store.endPosition("/chat#b"))).isEqualTo(250);
            assertThat(get(store.endPosition("/unknown"))).isZero();
            assertThat(store.stats().appends()).isEqualTo(750);
            // Every append was carried by exactly one commit, and commits happened.
            assertThat(store.stats().committedOps()).isEqualTo(750);
            assertThat(store.stats().commits()).isBetween(1L, 750L);
        }
    }

    @Test
    void readsFromAnOffsetInBoundedBatches() {
        try (EmbeddedStore store = EmbeddedStore.open(config().maxReadBatch(100).build())) {
            for (int i = 0; i < 1000; i++) {
                store.append("s", java.util.UUID.randomUUID().toString(), bytes("m" + i));
            }
            get(store.append("s", java.util.UUID.randomUUID().toString(), bytes("m1000")));
            ReadResult r = get(store.read("s", 950, 10));
            assertThat(offsets(r)).containsExactly(950L, 951L, 952L, 953L, 954L, 955L, 956L, 957L, 958L, 959L);
            assertThat(payloads(r).get(0)).isEqualTo("m950");
            // The configured batch bound wins over a larger max.
            assertThat(get(store.read("s", 0, 5000)).messages()).hasSize(100);
            // Reading at or past the end is empty, not an error.
            ReadResult end = get(store.read("s", 1001, 10));
            assertThat(end.messages()).isEmpty();
            assertThat(end.endPosition()).isEqualTo(1001);
            assertThat(end.truncated()).isFalse();
            assertThat(get(store.read("unknown", 5, 10))).isEqualTo(new ReadResult(List.of(), 0, 0, false));
        }
    }

    @Test
    void offsetsAndMessagesSurviveARestart() {
        try (EmbeddedStore store = EmbeddedStore.open(config().build())) {
            for (int i = 0; i < 100; i++) {
                store.append("room", java.util.UUID.randomUUID().toString(), bytes("x" + i));
            }
            assertThat(get(store.append("room", java.util.UUID.randomUUID().toString(), bytes("x100")))).isEqualTo(100);
        }
        try (EmbeddedStore store = EmbeddedStore.open(config().build())) {
            assertThat(get(store.endPosition("room"))).isEqualTo(101);
            assertThat(get(store.append("room", java.util.UUID.randomUUID().toString(), bytes("after")))).isEqualTo(101);
            ReadResult r = get(store.read("room", 99, 10));
            assertThat(payloads(r)).containsExactly("x99", "x100", "after");
        }
    }

    @Test
    void retentionByCountDropsTheOldestAndReportsTruncation() {
        RetentionPolicy keep10 = RetentionPolicy.newBuilder().maxMessages(10).build();
        try (EmbeddedStore store = EmbeddedStore.open(config().retention(s -> s.startsWith("kept") ? keep10 : RetentionPolicy.unlimited()).build())) {
            for (int i = 0; i < 25; i++) {
                store.append("kept", java.util.UUID.randomUUID().toString(), bytes("k" + i));
                store.append("other", java.util.UUID.randomUUID().toString(), bytes("o" + i));
            }
            assertThat(get(store.enforceRetention())).isEqualTo(15);
            ReadResult r = get(store.read("kept", 3, 100));
            assertThat(r.truncated()).isTrue();
            assertThat(r.firstPosition()).isEqualTo(15);
            assertThat(offsets(r).get(0)).isEqualTo(15);
            assertThat(r.messages()).hasSize(10);
            ReadResult fromFirst = get(store.read("kept", 15, 100));
            assertThat(fromFirst.truncated()).isFalse();
            assertThat(get(store.read("other", 0, 100)).messages()).hasSize(25);
            assertThat(store.stats().retainedDeletes()).isEqualTo(15);
        }
        // The low watermark is durable: after a restart the gap is still reported.
        try (EmbeddedStore store = EmbeddedStore.open(config().retention(keep10).build())) {
            ReadResult r = get(store.read("kept", 0, 100));
            assertThat(r.truncated()).isTrue();
            assertThat(r.firstPosition()).isEqualTo(15);
            assertThat(get(store.append("kept", java.util.UUID.randomUUID().toString(), bytes("k25")))).isEqualTo(25);
        }
    }

    @Test
    void retentionByAgeCanEmptyAStreamWithoutResettingOffsets() {
        RetentionPolicy hour = RetentionPolicy.newBuilder().maxAge(Duration.ofHours(1)).build();
        try (EmbeddedStore store = EmbeddedStore.open(config().retention(hour).build())) {
            for (int i = 0; i < 5; i++) {
                store.append("s", java.util.UUID.randomUUID().toString(), bytes("old" + i));
            }
            get(store.append("s", java.util.UUID.randomUUID().toString(), bytes("old5")));
            clock.advance(Duration.ofMinutes(50));
            get(store.append("s", java.util.UUID.randomUUID().toString(), bytes("new6")));
            clock.advance(Duration.ofMinutes(20));
            assertThat(get(store.enforceRetention())).isEqualTo(6);
            ReadResult r = get(store.read("s", 0, 100));
            assertThat(r.truncated()).isTrue();
            assertThat(payloads(r)).containsExactly("new6");
            clock.advance(Duration.ofHours(2));
            assertThat(get(store.enforceRetention())).isEqualTo(1);
            ReadResult empty = get(store.read("s", 0, 100));
            assertThat(empty.messages()).isEmpty();
            assertThat(empty.firstPosition()).isEqualTo(7);
            assertThat(empty.truncated()).isTrue();
        }
        try (EmbeddedStore store = EmbeddedStore.open(config().retention(hour).build())) {
            assertThat(get(store.append("s", java.util.UUID.randomUUID().toString(), bytes("after")))).isEqualTo(7);
            get(store.append("s2", java.util.UUID.randomUUID().toString(), bytes("old")));
        }
        // After a restart the age of the oldest entry is read again from disk.
        clock.advance(Duration.ofHours(2));
        try (EmbeddedStore store = EmbeddedStore.open(config().retention(hour).build())) {
            assertThat(get(store.enforceRetention())).isEqualTo(2);
            assertThat(get(store.read("s2", 0, 10)).firstPosition()).isEqualTo(1);
        }
    }

    @Test
    void retentionByBytesKeepsTheNewestWithinTheLimit() {
        RetentionPolicy kb = RetentionPolicy.newBuilder().maxBytes(1000).build();
        try (EmbeddedStore store = EmbeddedStore.open(config().retention(kb).build())) {
            for (int i = 0; i < 30; i++) {
                store.append("s", java.util.UUID.randomUUID().toString(), new byte[100]);
            }
            get(store.endPosition("s"));
            assertThat(get(store.enforceRetention())).isEqualTo(20);
            ReadResult r = get(store.read("s", 0, 100));
            assertThat(r.firstPosition()).isEqualTo(20);
            assertThat(r.messages()).hasSize(10);
            assertThat(r.truncated()).isTrue();
            // Within the limit now: nothing more to drop.
            assertThat(get(store.enforceRetention())).isZero();
        }
    }

    @Test
    void scheduledRetentionRunsOnItsOwn() {
        RetentionPolicy keep3 = RetentionPolicy.newBuilder().maxMessages(3).build();
        try (EmbeddedStore store = EmbeddedStore.open(config().retention(keep3).retentionInterval(Duration.ofMillis(20)).build())) {
            for (int i = 0; i < 10; i++) {
                store.append("s", java.util.UUID.randomUUID().toString(), bytes("m" + i));
            }
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> get(store.read("s", 0, 100)).firstPosition() == 7);
        }
    }

    @Test
    void readsFromATime() {
        RetentionPolicy keep4 = RetentionPolicy.newBuilder().maxMessages(4).build();
        try (EmbeddedStore store = EmbeddedStore.open(config().retention(keep4).build())) {
            long t0 = clock.millis();
            for (int i = 0; i < 6; i++) {
                get(store.append("s", java.util.UUID.randomUUID().toString(), bytes("m" + i)));
                clock.advance(Duration.ofSeconds(10));
            }
            // m_i was appended at t0 + 10 s * i.
            ReadResult r = get(store.readFromTime("s", t0 + 25_000, 100));
            assertThat(payloads(r)).containsExactly("m3", "m4", "m5");
            assertThat(r.messages().get(0).timestampMillis()).isEqualTo(t0 + 30_000);
            assertThat(r.truncated()).isFalse();
            assertThat(payloads(get(store.readFromTime("s", t0 + 30_000, 1)))).containsExactly("m3");
            assertThat(get(store.readFromTime("s", t0 + 999_000, 10)).messages()).isEmpty();

            assertThat(get(store.enforceRetention())).isEqualTo(2);
            // m0 and m1 (t0, t0+10s) were dropped: asking from t0+5s lost m1, asking from t0+15s lost nothing.
            ReadResult lost = get(store.readFromTime("s", t0 + 5_000, 100));
            assertThat(lost.truncated()).isTrue();
            assertThat(payloads(lost)).containsExactly("m2", "m3", "m4", "m5");
            assertThat(get(store.readFromTime("s", t0 + 15_000, 100)).truncated()).isFalse();
        }
    }

    @Test
    void appendTimestampsNeverGoBackwardsWhenTheClockDoes() {
        try (EmbeddedStore store = EmbeddedStore.open(config().build())) {
            get(store.append("s", java.util.UUID.randomUUID().toString(), bytes("a")));
            clock.advance(Duration.ofSeconds(-30));
            get(store.append("s", java.util.UUID.randomUUID().toString(), bytes("b")));
            List<StoredMessage> m = get(store.read("s", 0, 10)).messages();
            assertThat(m.get(1).timestampMillis()).isEqualTo(m.get(0).timestampMillis());
        }
    }

    @Test
    void refusesBadInputThroughTheStage() {
        try (EmbeddedStore store = EmbeddedStore.open(config().maxMessageBytes(10).build())) {
            assertThat(failure(store.append("", java.util.UUID.randomUUID().toString(), bytes("x")))).isInstanceOf(IllegalArgumentException.class);
            assertThat(failure(store.append("s", java.util.UUID.randomUUID().toString(), new byte[11]))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("at most 10");
            assertThat(failure(store.append("s".repeat(2000), java.util.UUID.randomUUID().toString(), bytes("x")))).isInstanceOf(IllegalArgumentException.class);
            assertThat(failure(store.read("s", -1, 10))).isInstanceOf(IllegalArgumentException.class);
            assertThat(failure(store.read("s", 0, 0))).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void aFullPendingQueueFailsTheStageAndCountsIt() throws Exception {
        try (EmbeddedStore store = EmbeddedStore.open(config().maxPendingOperations(2).build())) {
            CountDownLatch writerHeld = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            // Occupy the writer thread so that nothing drains the pending queue.
            CompletableFuture<Object> holding = store.writer().submit(b -> {
                writerHeld.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return null;
            }).toCompletableFuture();
            assertThat(writerHeld.await(30, TimeUnit.SECONDS)).isTrue();
            CompletionStage<Long> queued1 = store.append("s", java.util.UUID.randomUUID().toString(), bytes("1"));
            CompletionStage<Long> queued2 = store.append("s", java.util.UUID.randomUUID().toString(), bytes("2"));
            Throwable refused = failure(store.append("s", java.util.UUID.randomUUID().toString(), bytes("3")));
            assertThat(refused).isInstanceOf(StoreException.class);
            assertThat(((StoreException) refused).reason()).isEqualTo(StoreException.Reason.OVERLOADED);
            assertThat(store.stats().rejectedOverload()).isEqualTo(1);
            release.countDown();
            holding.get(30, TimeUnit.SECONDS);
            assertThat(get(queued1)).isEqualTo(0);
            assertThat(get(queued2)).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @EnumSource(Durability.class)
    void appendsWaitingBehindABusyWriterAreCommittedAsOneBatchOnTheWriterThread(Durability durability) throws Exception {
        try (EmbeddedStore store = EmbeddedStore.open(config().durability(durability).build())) {
            CountDownLatch held = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            store.writer().submit(b -> {
                held.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return null;
            });
            assertThat(held.await(30, TimeUnit.SECONDS)).isTrue();
            long commitsBefore = store.stats().commits();
            List<CompletableFuture<String>> completedOn = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                completedOn.add(store.append("s", java.util.UUID.randomUUID().toString(), bytes("m" + i)).thenApply(o -> Thread.currentThread().getName()).toCompletableFuture());
            }
            release.countDown();
            for (CompletableFuture<String> f : completedOn) {
                assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo("switchboard-store-writer");
            }
            // One WAL write (and one fsync under FSYNC) for all 300.
            assertThat(store.stats().commits() - commitsBefore).isEqualTo(1);
        }
    }

    /**
     * What each policy really asks of the disk, counted by RocksDB itself: under FSYNC one WAL fsync
     * per commit (each awaited append is a commit of its own here), under OS none at all.
     */
    @Test
    void fsyncPolicySyncsTheWalOncePerCommitAndOsNever() throws Exception {
        try (EmbeddedStore store = EmbeddedStore.open(config().durability(Durability.FSYNC).build())) {
            long syncsBefore = store.walSyncs();
            long commitsBefore = store.stats().commits();
            for (int i = 0; i < 40; i++) {
                get(store.append("s", java.util.UUID.randomUUID().toString(), bytes("m" + i)));
            }
            long commits = store.stats().commits() - commitsBefore;
            assertThat(commits).isEqualTo(40);
            assertThat(store.walSyncs() - syncsBefore).isEqualTo(commits);
        }
        try (EmbeddedStore store = EmbeddedStore.open(config().durability(Durability.OS).build())) {
            long syncsBefore = store.walSyncs();
            for (int i = 0; i < 40; i++) {
                get(store.append("s", java.util.UUID.randomUUID().toString(), bytes("m" + i)));
            }
            assertThat(store.stats().commits()).isGreaterThanOrEqualTo(40);
            assertThat(store.walSyncs() - syncsBefore).isZero();
        }
    }

    @Test
    void aGroupCommitDelayStillCompletesALoneAppend() {
        try (EmbeddedStore store = EmbeddedStore.open(config().durability(Durability.FSYNC).groupCommitMaxDelay(Duration.ofMillis(20)).build())) {
            assertThat(get(store.append("s", java.util.UUID.randomUUID().toString(), bytes("alone")))).isZero();
            List<CompletionStage<Long>> many = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                many.add(store.append("s", java.util.UUID.randomUUID().toString(), bytes("m" + i)));
            }
            for (int i = 0; i < many.size(); i++) {
                assertThat(get(many.get(i))).isEqualTo(i + 1);
            }
        }
    }

    @Test
    void closeCompletesAcceptedWorkAndRefusesLaterWork() {
        EmbeddedStore store = EmbeddedStore.open(config().build());
        List<CompletionStage<Long>> accepted = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            accepted.add(store.append("s", java.util.UUID.randomUUID().toString(), bytes("m" + i)));
        }
        store.close();
        for (int i = 0; i < accepted.size(); i++) {
            assertThat(get(accepted.get(i))).isEqualTo(i);
        }
        Throwable t = failure(store.append("s", java.util.UUID.randomUUID().toString(), bytes("late")));
        assertThat(((StoreException) t).reason()).isEqualTo(StoreException.Reason.CLOSED);
        assertThat(((StoreException) failure(store.read("s", 0, 1))).reason()).isEqualTo(StoreException.Reason.CLOSED);
        store.close();
        try (EmbeddedStore again = EmbeddedStore.open(config().build())) {
            assertThat(get(again.endPosition("s"))).isEqualTo(2000);
        }
    }

    @Test
    void configRejectsBadValuesAtOnce() {
        assertThatThrownBy(() -> StoreConfig.newBuilder(dir).groupCommitMaxBatch(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("groupCommitMaxBatch");
        assertThatThrownBy(() -> StoreConfig.newBuilder(dir).groupCommitMaxDelay(Duration.ofSeconds(2)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RetentionPolicy.newBuilder().maxMessages(-1)).isInstanceOf(IllegalArgumentException.class);
        StoreConfig c = StoreConfig.newBuilder(dir).durability(Durability.FSYNC).build();
        assertThat(c.toBuilder().build().durability()).isEqualTo(Durability.FSYNC);
        assertThat(StoreConfig.newBuilder(dir).build().durability()).isEqualTo(Durability.OS);
    }
}
