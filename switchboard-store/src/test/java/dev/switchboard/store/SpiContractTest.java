package dev.switchboard.store;

import static dev.switchboard.store.Await.failure;
import static dev.switchboard.store.Await.get;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.spi.DeliveryHandle;
import dev.switchboard.core.spi.QueueStore.QueuedMessage;
import dev.switchboard.core.spi.RetentionPolicy;
import dev.switchboard.core.spi.StreamStore.ReadResult;
import dev.switchboard.core.spi.StreamStore.StoredMessage;
import dev.switchboard.core.spi.StreamStore.Tail;
import dev.switchboard.core.spi.StreamStore.TailListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The parts of the storage SPIs that callers rely on beyond plain storage: idempotent appends and
 * enqueues, delivery handles, and tail subscriptions (lagging, truncated), as the embedded store does
 * them (de-duplication across a restart, windows on an injected clock). What every stream store does is
 * in {@link StreamStoreContract} ({@link EmbeddedStreamStoreContractTest} here).
 */
class SpiContractTest {

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(1_700_000_000_000L);
    private final ExecutorService listenerThread = Executors.newSingleThreadExecutor();

    @AfterEach
    void stopListener() {
        listenerThread.shutdownNow();
    }

    private EmbeddedStore open() {
        return EmbeddedStore.open(StoreConfig.newBuilder(dir).clock(clock).retention(RetentionPolicy.unlimited())
                .dedupWindow(Duration.ofMinutes(1)).dedupWindowEntries(3).build());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }

    @Test
    void appendingTheSameMessageIdTwiceStoresOneEntryAndAnswersTheFirstPosition() {
        try (EmbeddedStore store = open()) {
            long first = get(store.append("s", "msg-1", bytes("a")));
            long again = get(store.append("s", "msg-1", bytes("a, retried")));
            long other = get(store.append("s", "msg-2", bytes("b")));
            long otherStream = get(store.append("t", "msg-1", bytes("same id, other stream")));
            assertThat(again).isEqualTo(first);
            assertThat(other).isGreaterThan(first);
            assertThat(otherStream).as("ids are de-duplicated per stream").isZero();

            ReadResult r = get(store.read("s", 0, 10));
            assertThat(r.messages()).extracting(StoredMessage::messageId).containsExactly("msg-1", "msg-2");
            assertThat(new String(r.messages().get(0).payload(), UTF_8)).isEqualTo("a");
            assertThat(store.stats().duplicates()).isEqualTo(1);
        }
    }

    @Test
    void duplicatesInOneGroupCommitAndTheWindowsBoundsByCountAndAge() {
        try (EmbeddedStore store = open()) {
            // Both in flight at once: the second finds the first in the window before either is committed.
            CompletableFuture<Long> a = store.append("s", "x", bytes("1")).toCompletableFuture();
            CompletableFuture<Long> b = store.append("s", "x", bytes("2")).toCompletableFuture();
            assertThat(get(b)).isEqualTo(get(a));

            for (String id : List.of("y1", "y2", "y3")) {
                get(store.append("s", id, bytes(id)));
            }
            // Window of 3 entries: "x" was the oldest and is forgotten, so it is stored again.
            assertThat(get(store.append("s", "x", bytes("3")))).isNotEqualTo(get(a));
            long y3 = get(store.append("s", "y3", bytes("y3 again")));
            clock.advance(Duration.ofMinutes(2));
            assertThat(get(store.append("s", "y3", bytes("y3 after the window")))).as("aged out").isGreaterThan(y3);
        }
    }

    @Test
    void anAppendRetriedAfterARestartIsStillRecognised() {
        long first;
        try (EmbeddedStore store = open()) {
            first = get(store.append("s", "before-crash", bytes("a")));
            get(store.append("s", "other", bytes("b")));
        }
        try (EmbeddedStore store = open()) {
            assertThat(get(store.append("s", "before-crash", bytes("a, retried")))).isEqualTo(first);
            assertThat(get(store.read("s", 0, 10)).messages()).hasSize(2);
        }
        clock.advance(Duration.ofMinutes(2));
        try (EmbeddedStore store = open()) {
            assertThat(get(store.append("s", "before-crash", bytes("a, much later")))).as("older than the window").isEqualTo(2);
        }
    }

    @Test
    void enqueuingTheSameDedupKeyTwiceStoresOneMessage() {
        try (EmbeddedStore store = open()) {
            long id = get(store.enqueue("q", "order-7", bytes("first")));
            assertThat(get(store.enqueue("q", "order-7", bytes("retry")))).isEqualTo(id);
            assertThat(get(store.enqueue("other", "order-7", bytes("other queue")))).isZero();
            assertThat(get(store.depth("q"))).isEqualTo(1);
            List<QueuedMessage> leased = get(store.lease("q", 10, Duration.ofMinutes(1)));
            assertThat(leased).hasSize(1);
            assertThat(new String(leased.get(0).payload(), UTF_8)).isEqualTo("first");
        }
    }

    @Test
    void deliveryHandlesAckAndReleaseOneDeliveryAndAStaleReleaseIsIgnored() {
        try (EmbeddedStore store = open()) {
            get(store.enqueue("q", "k1", bytes("m")));
            QueuedMessage first = get(store.lease("q", 1, Duration.ofMinutes(1))).get(0);
            assertThat(first.delivery().queue()).isEqualTo("q");
            get(store.release(first.delivery()));
            QueuedMessage second = get(store.lease("q", 1, Duration.ofMinutes(1))).get(0);
            assertThat(second.id()).isEqualTo(first.id());
            assertThat(second.attempt()).isEqualTo(2);

            // The first delivery's handle is stale: releasing it must not end the second lease.
            get(store.release(first.delivery()));
            assertThat(get(store.lease("q", 1, Duration.ofMinutes(1)))).as("still leased").isEmpty();

            get(store.ack(second.delivery()));
            assertThat(get(store.depth("q"))).isZero();
            get(store.ack(second.delivery())); // idempotent

            DeliveryHandle foreign = () -> "q";
            assertThat(failure(store.ack(foreign))).isInstanceOf(IllegalArgumentException.class);
        }
    }

    /** Records what a subscription hands on; {@code gate} holds the listener thread when closed. */
    private static final class Recorder implements TailListener {
        final List<String> payloads = new CopyOnWriteArrayList<>();
        final List<Long> positions = new CopyOnWriteArrayList<>();
        final CompletableFuture<Object[]> end = new CompletableFuture<>();
        volatile CountDownLatch gate = new CountDownLatch(0);
        final CountDownLatch entered = new CountDownLatch(1);

        @Override
        public void onMessage(StoredMessage message) {
            entered.countDown();
            try {
                gate.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            payloads.add(new String(message.payload(), UTF_8));
            positions.add(message.position());
        }

        @Override
        public void onEnd(Tail.End reason, long resumeAfter, Throwable cause) {
            end.complete(new Object[] {reason, resumeAfter});
        }
    }

    @Test
    void aTailThatFallsTooFarBehindEndsAsLaggedWithWhereToResume() throws Exception {
        try (EmbeddedStore store = open()) {
            Recorder r = new Recorder();
            r.gate = new CountDownLatch(1); // the listener blocks on its first message
            store.subscribe("room", -1, 3, listenerThread, r);
            long firstPosition = get(store.append("room", "m0", bytes("m0")));
            assertThat(r.entered.await(10, TimeUnit.SECONDS)).as("the listener holds m0").isTrue();
            for (int i = 1; i <= 6; i++) {
                get(store.append("room", "m" + i, bytes("m" + i)));
            }
            r.gate.countDown();
            Object[] end = r.end.get(10, TimeUnit.SECONDS);
            assertThat(end[0]).isEqualTo(Tail.End.LAGGED);
            assertThat(r.payloads).as("handed on before it lagged").startsWith("m0");
            long resumeAfter = (Long) end[1];
            assertThat(resumeAfter).isEqualTo(r.positions.get(r.positions.size() - 1));
            assertThat(resumeAfter).isGreaterThanOrEqualTo(firstPosition);
            // Nothing is lost: what followed is still readable after the resume position.
            List<String> rest = get(store.read("room", resumeAfter + 1, 100)).messages().stream()
                    .map(m -> new String(m.payload(), UTF_8)).toList();
            assertThat(r.payloads.size() + rest.size()).isEqualTo(7);
            assertThat(store.stats().laggedTails()).isEqualTo(1);
        }
    }

    @Test
    void aTailFromAPositionThatRetentionPassedEndsAsTruncated() throws Exception {
        try (EmbeddedStore store = EmbeddedStore.open(StoreConfig.newBuilder(dir).clock(clock)
                .retention(RetentionPolicy.newBuilder().maxMessages(2).build()).build())) {
            for (int i = 0; i < 5; i++) {
                get(store.append("room", "m" + i, bytes("m" + i)));
            }
            get(store.enforceRetention());
            Recorder fromZero = new Recorder();
            store.subscribe("room", 0, 10, listenerThread, fromZero);
            Object[] end = fromZero.end.get(10, TimeUnit.SECONDS);
            assertThat(end[0]).isEqualTo(Tail.End.TRUNCATED);
            assertThat(end[1]).isEqualTo(0L);
            assertThat(fromZero.payloads).isEmpty();

            Recorder retained = new Recorder();
            store.subscribe("room", -1, 10, listenerThread, retained);
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> retained.payloads.size() == 2);
            assertThat(retained.payloads).containsExactly("m3", "m4");
        }
    }
}
