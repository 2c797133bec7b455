package dev.switchboard.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.spi.StreamStore;
import dev.switchboard.core.spi.StreamStore.ReadResult;
import dev.switchboard.core.spi.StreamStore.StoredMessage;
import dev.switchboard.core.spi.StreamStore.Tail;
import dev.switchboard.core.spi.StreamStore.TailListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link StreamStore} contract every implementation passes, through the SPI only: idempotent
 * appends, increasing (not necessarily dense) positions, reads, tails that catch up then follow, and
 * closing. Shipped in this module's test-jar; an implementation's test extends it and says how to open
 * an empty store. Timeouts are generous: a store may sit on a broker in another process on a loaded machine.
 */
public abstract class StreamStoreContract {

    private final List<StreamStore> opened = new ArrayList<>();
    protected final ExecutorService listenerThread = Executors.newSingleThreadExecutor();

    /** A new, empty store (closed by the contract after each test unless the test closed it). */
    protected abstract StreamStore openEmptyStore();

    private StreamStore store() {
        StreamStore s = openEmptyStore();
        opened.add(s);
        return s;
    }

    @AfterEach
    void closeContractStores() {
        opened.forEach(StreamStore::close);
        listenerThread.shutdownNow();
    }

    protected static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }

    protected static <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    protected static List<String> payloads(ReadResult r) {
        return r.messages().stream().map(m -> new String(m.payload(), UTF_8)).toList();
    }

    @Test
    void contractAppendingTheSameMessageIdTwiceStoresOneEntryAndAnswersTheFirstPosition() {
        StreamStore store = store();
        // In flight together: the second must find the first before it is durable.
        CompletableFuture<Long> a = store.append("s", "msg-1", bytes("a")).toCompletableFuture();
        CompletableFuture<Long> b = store.append("s", "msg-1", bytes("a, retried")).toCompletableFuture();
        long first = await(a);
        assertThat(await(b)).isEqualTo(first);
        assertThat(await(store.append("s", "msg-2", bytes("b")))).isGreaterThan(first);
        await(store.append("t", "msg-1", bytes("same id, other stream")));

        ReadResult r = await(store.read("s", 0, 10));
        assertThat(r.messages()).extracting(StoredMessage::messageId).containsExactly("msg-1", "msg-2");
        assertThat(payloads(r)).containsExactly("a", "b");
        assertThat(r.messages()).extracting(StoredMessage::stream).containsOnly("s");
        assertThat(await(store.read("t", 0, 10)).messages()).extracting(StoredMessage::messageId)
                .as("ids are de-duplicated per stream").containsExactly("msg-1");
    }

    @Test
    void contractPositionsIncreaseAndReadsStartWhereAskedAndEndWhereTheStreamEnds() {
        StreamStore store = store();
        List<Long> positions = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            positions.add(await(store.append("room", "m" + i, bytes("m" + i))));
            await(store.append("other", "o" + i, bytes("o" + i)));
        }
        assertThat(positions).isSorted().doesNotHaveDuplicates();
        ReadResult all = await(store.read("room", 0, 100));
        assertThat(payloads(all)).hasSize(10).startsWith("m0").endsWith("m9");
        assertThat(all.truncated()).isFalse();
        assertThat(all.endPosition()).isGreaterThan(positions.get(9));
        // "After p" is "from p + 1", whatever the spacing of positions.
        assertThat(payloads(await(store.read("room", positions.get(4) + 1, 3)))).containsExactly("m5", "m6", "m7");

        long end = await(store.endPosition("room"));
        assertThat(await(store.read("room", end, 10)).messages()).isEmpty();
        assertThat(await(store.append("room", "late", bytes("late")))).isGreaterThanOrEqualTo(end);
        assertThat(payloads(await(store.read("room", end, 10)))).containsExactly("late");
    }

    /** Records what a subscription hands on. */
    protected static final class Recorder implements TailListener {
        public final List<String> payloads = new CopyOnWriteArrayList<>();
        public final List<Long> positions = new CopyOnWriteArrayList<>();
        public final CompletableFuture<Object[]> end = new CompletableFuture<>();

        @Override
        public void onMessage(StoredMessage message) {
            payloads.add(new String(message.payload(), UTF_8));
            positions.add(message.position());
        }

        @Override
        public void onEnd(Tail.End reason, long resumeAfter, Throwable cause) {
            end.complete(new Object[] {reason, resumeAfter});
        }
    }

    @Test
    void contractATailCatchesUpFromItsPositionThenFollowsAppendsInOrderUntilClosed() throws Exception {
        StreamStore store = store();
        List<Long> p = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            p.add(await(store.append("room", "m" + i, bytes("m" + i))));
        }
        Recorder r = new Recorder();
        Tail tail = store.subscribe("room", p.get(1), 100, listenerThread, r);
        for (int i = 5; i < 8; i++) {
            await(store.append("room", "m" + i, bytes("m" + i)));
        }
        await(store.append("elsewhere", "z", bytes("not this stream")));
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> r.payloads.size() == 6);
        assertThat(r.payloads).containsExactly("m2", "m3", "m4", "m5", "m6", "m7");
        assertThat(r.positions).isSorted().doesNotHaveDuplicates();

        tail.close();
        Object[] end = r.end.get(60, TimeUnit.SECONDS);
        assertThat(end[0]).isEqualTo(Tail.End.CLOSED);
        assertThat(end[1]).isEqualTo(r.positions.get(5));
        await(store.append("room", "m8", bytes("m8")));
        assertThat(await(store.read("room", 0, 100)).messages()).hasSize(9);
        assertThat(r.payloads).as("nothing after close").hasSize(6);
    }

    @Test
    void contractClosingTheStoreEndsItsTails() throws Exception {
        StreamStore store = openEmptyStore();
        Recorder r = new Recorder();
        store.subscribe("room", -1, 10, listenerThread, r);
        store.close();
        Object[] end = r.end.get(60, TimeUnit.SECONDS);
        assertThat(end[0]).isEqualTo(Tail.End.FAILED);
    }
}
