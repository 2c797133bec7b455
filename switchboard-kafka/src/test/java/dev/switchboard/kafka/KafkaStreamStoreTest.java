package dev.switchboard.kafka;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.spi.StoreException;
import dev.switchboard.core.spi.StreamStore;
import dev.switchboard.core.spi.StreamStore.ReadResult;
import dev.switchboard.core.spi.StreamStore.StoredMessage;
import dev.switchboard.core.spi.StreamStore.Tail;
import dev.switchboard.core.spi.StreamStore.TailListener;
import dev.switchboard.store.StreamStoreContract;
import dev.switchboard.testkit.kafka.KafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared stream store contract ({@link StreamStoreContract}: idempotent appends, positions, reads,
 * tails, closing) plus Kafka's own cases (the de-duplication window's bound, reads from a time, a
 * lagging tail, a broker killed and restarted, an unreachable broker) against a real single-node Kafka
 * broker in a child JVM, started once for the class. Each store gets its own topic.
 */
class KafkaStreamStoreTest extends StreamStoreContract {

    @TempDir
    static Path dir;

    private static KafkaBroker broker;
    private static final AtomicInteger topics = new AtomicInteger();

    private final List<KafkaStreamStore> opened = new ArrayList<>();

    @BeforeAll
    static void startBroker() {
        broker = KafkaBroker.startForTests(dir.resolve("kafka"));
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.kill();
        }
    }

    @AfterEach
    void closeStores() {
        opened.forEach(KafkaStreamStore::close);
    }

    private KafkaStoreConfig.Builder config() {
        return KafkaStoreConfig.newBuilder(broker.bootstrapServers()).topic("streams-" + topics.incrementAndGet())
                .partitions(2).requestTimeout(Duration.ofSeconds(20));
    }

    private KafkaStreamStore open(KafkaStoreConfig config) {
        KafkaStreamStore s = KafkaStreamStore.open(config);
        opened.add(s);
        return s;
    }

    @Override
    protected StreamStore openEmptyStore() {
        return KafkaStreamStore.open(config().build()); // a topic of its own: empty
    }

    static <T> T get(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }


    @Test
    void theDedupWindowIsBoundedByCount() {
        KafkaStreamStore store = open(config().dedupWindowEntries(3).build());
        long x = get(store.append("s", "x", bytes("1")));
        for (String id : List.of("y1", "y2", "y3")) {
            get(store.append("s", id, bytes(id)));
        }
        // Window of 3 entries: "x" was the oldest and is forgotten, so it is stored again.
        assertThat(get(store.append("s", "x", bytes("again")))).isGreaterThan(x);
        assertThat(get(store.read("s", 0, 10)).messages()).hasSize(5);
    }

    @Test
    void readsFromATimeStartAtTheFirstMessageAppendedThen() throws Exception {
        KafkaStreamStore store = open(config().build());
        get(store.append("room", "old", bytes("old")));
        long before = get(store.read("room", 0, 1)).messages().get(0).timestampMillis();
        // Record timestamps have millisecond resolution: wait until the clock has passed the first one.
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> System.currentTimeMillis() > before);
        long t = System.currentTimeMillis();
        get(store.append("room", "new1", bytes("new1")));
        get(store.append("room", "new2", bytes("new2")));
        assertThat(payloads(get(store.readFromTime("room", t, 10)))).containsExactly("new1", "new2");
        assertThat(get(store.readFromTime("room", t + 3_600_000, 10)).messages()).isEmpty();
    }

    /** Records what a subscription hands on; {@code gate} holds the listener thread when closed. */
    private static final class GatedRecorder implements TailListener {
        final List<String> payloads = new CopyOnWriteArrayList<>();
        final List<Long> positions = new CopyOnWriteArrayList<>();
        final CompletableFuture<Object[]> end = new CompletableFuture<>();
        volatile CountDownLatch gate = new CountDownLatch(0);
        final CountDownLatch entered = new CountDownLatch(1);

        @Override
        public void onMessage(StoredMessage message) {
            entered.countDown();
            try {
                gate.await(60, TimeUnit.SECONDS);
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
        KafkaStreamStore store = open(config().build());
        GatedRecorder r = new GatedRecorder();
        r.gate = new CountDownLatch(1); // the listener blocks on its first message
        KafkaTail tail = (KafkaTail) store.subscribe("room", -1, 3, listenerThread, r);
        long firstPosition = get(store.append("room", "m0", bytes("m0")));
        assertThat(r.entered.await(60, TimeUnit.SECONDS)).as("the listener holds m0").isTrue();
        for (int i = 1; i <= 6; i++) {
            get(store.append("room", "m" + i, bytes("m" + i)));
        }
        // The end is queued behind the held listener: wait for the tail's verdict, then let the listener go.
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(tail::hasLagged);
        r.gate.countDown();
        Object[] end = r.end.get(60, TimeUnit.SECONDS);
        assertThat(end[0]).isEqualTo(Tail.End.LAGGED);
        assertThat(r.payloads).as("handed on before it lagged").startsWith("m0");
        long resumeAfter = (Long) end[1];
        assertThat(resumeAfter).isEqualTo(r.positions.get(r.positions.size() - 1));
        assertThat(resumeAfter).isGreaterThanOrEqualTo(firstPosition);
        // Nothing is lost: what followed is still readable after the resume position.
        List<String> rest = payloads(get(store.read("room", resumeAfter + 1, 100)));
        assertThat(r.payloads.size() + rest.size()).isEqualTo(7);
    }

    @Test
    void aClosedStoreEndsItsTailsAndRefusesCallsAsClosed() throws Exception {
        KafkaStreamStore store = KafkaStreamStore.open(config().build());
        GatedRecorder r = new GatedRecorder();
        store.subscribe("room", -1, 10, listenerThread, r);
        store.close();
        Object[] end = r.end.get(60, TimeUnit.SECONDS);
        assertThat(end[0]).isEqualTo(Tail.End.FAILED);
        Throwable refused = store.append("room", "x", bytes("x")).toCompletableFuture().handle((v, e) -> e).get(10, TimeUnit.SECONDS);
        assertThat(refused).isInstanceOf(StoreException.class);
        assertThat(((StoreException) refused).reason()).isEqualTo(StoreException.Reason.CLOSED);
    }

    @Test
    void acknowledgedAppendsSurviveABrokerKilledWithSigkillAndTheStoreCarriesOnAfterItsRestart() {
        KafkaStreamStore store = open(config().partitions(1).requestTimeout(Duration.ofSeconds(3)).build());
        List<Long> acked = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            acked.add(get(store.append("room", "m" + i, bytes("m" + i))));
        }
        broker.kill();
        Throwable refused = store.append("room", "during", bytes("during")).toCompletableFuture()
                .handle((v, e) -> e).join();
        assertThat(refused).as("an append while the broker is away fails, it is not answered as stored").isInstanceOf(StoreException.class);
        assertThat(((StoreException) refused).reason()).as("unreachable is worth retrying").isEqualTo(StoreException.Reason.CLOSED);

        broker.restart();
        // The producer and the reader reconnect on their own; the first calls may still time out.
        Awaitility.await().atMost(Duration.ofSeconds(120)).ignoreExceptions()
                .until(() -> get(store.append("room", "after", bytes("after"))) > acked.get(19));
        ReadResult r = get(store.read("room", 0, 100));
        List<String> stored = payloads(r);
        assertThat(stored.subList(0, 20)).as("every acknowledged append, in order").isEqualTo(
                java.util.stream.IntStream.range(0, 20).mapToObj(i -> "m" + i).toList());
        assertThat(stored).as("no duplicate").doesNotHaveDuplicates().contains("after");
    }

    @Test
    void anUnreachableBrokerFailsTheOpenWithAClearStoreException() {
        StoreException e = org.assertj.core.api.Assertions.catchThrowableOfType(StoreException.class,
                () -> KafkaStreamStore.open(KafkaStoreConfig.newBuilder("127.0.0.1:1").requestTimeout(Duration.ofSeconds(2)).build()));
        assertThat(e).isNotNull();
        assertThat(e.reason()).isEqualTo(StoreException.Reason.CLOSED);
        assertThat(e.getMessage()).contains("127.0.0.1:1");
    }
}
