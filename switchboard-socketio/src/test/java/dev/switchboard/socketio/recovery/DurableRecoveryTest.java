package dev.switchboard.socketio.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The durable recovery backend's offsets over a stream store: replay across several durable rooms,
 * {@code except}, retention that did or did not cut what a client missed, and a restart.
 */
class DurableRecoveryTest {

    @TempDir
    Path dir;

    private final ListStreamStore store = new ListStreamStore();
    private final MapSessionStore sessions = new MapSessionStore();
    private DurableRecovery.Opened opened;

    @AfterEach
    void close() {
        if (opened != null) {
            opened.close();
        }
    }

    private RecoveryBackend backend() {
        if (opened != null) {
            opened.close();
        }
        opened = DurableRecovery.newBuilder(store, sessions).durable((ns, room) -> room.startsWith("d-")).build().open();
        return opened.create("/", 120_000, 100);
    }

    private static ArrayNode event(String name) {
        return JsonNodeFactory.instance.arrayNode().add(name);
    }

    /** Appends and returns the offset the event was given. */
    private static String append(RecoveryBackend b, String name, Set<String> rooms, Set<String> except) {
        ArrayNode data = event(name);
        b.append(data, rooms, except).toCompletableFuture().join();
        return data.get(data.size() - 1).asText();
    }

    private static List<String> names(RecoveryBackend.Outcome o) {
        return o.restored().missedPackets().stream().map(p -> p.get(0).asText()).toList();
    }

    @Test
    void anEventToTwoDurableRoomsIsReplayedOnceAndExceptIsHonoured() {
        RecoveryBackend b = backend();
        String seen = append(b, "seen", Set.of("d-1"), Set.of());
        b.persist("sid", "pid1", Set.of("sid", "d-1", "d-2", "vip"), Map.of("k", "v"));
        append(b, "both", Set.of("d-1", "d-2"), Set.of());
        append(b, "not-vip", Set.of("d-2"), Set.of("vip"));
        append(b, "volatile-room", Set.of("lobby"), Set.of());
        append(b, "two", Set.of("d-2"), Set.of());
        append(b, "other", Set.of("d-3"), Set.of());

        RecoveryBackend.Outcome o = b.restore("pid1", seen).toCompletableFuture().join();
        assertThat(o.truncation()).isNull();
        assertThat(names(o)).containsExactly("both", "two");
        assertThat(o.restored().session().rooms()).contains("d-1", "d-2", "vip");
        assertThat(o.restored().session().data()).containsEntry("k", "v");
        assertThat(b.restore("pid1", seen).toCompletableFuture().join().restored()).as("restored once").isNull();
    }

    @Test
    void retentionOfOnlyWhatTheClientHadSeenIsNoTruncationButOfMoreIs() {
        RecoveryBackend b = backend();
        append(b, "a", Set.of("d-r"), Set.of());
        String seen = append(b, "b", Set.of("d-r"), Set.of());
        append(b, "c", Set.of("d-r"), Set.of());
        append(b, "d", Set.of("d-r"), Set.of());
        b.persist("sid", "pid2", Set.of("d-r"), Map.of());
        b.persist("sid3", "pid3", Set.of("d-r"), Map.of());
        store.retain("/#d-r", 2); // drops a and b: the client had both

        RecoveryBackend.Outcome o = b.restore("pid2", seen).toCompletableFuture().join();
        assertThat(o.truncation()).isNull();
        assertThat(names(o)).containsExactly("c", "d");

        store.retain("/#d-r", 1); // drops c, which the client had not seen
        RecoveryBackend.Outcome cut = b.restore("pid3", seen).toCompletableFuture().join();
        assertThat(cut.restored()).isNull();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rooms = (List<Map<String, Object>>) cut.truncation().get("rooms");
        long firstKept = store.read("/#d-r", 0, 10).toCompletableFuture().join().firstPosition();
        assertThat(rooms.get(0)).containsEntry("room", "d-r").containsEntry("firstOffset", firstKept);
    }

    @Test
    void aRestartKeepsSessionsAndOffsetsGrowing() {
        RecoveryBackend b = backend();
        String seen = append(b, "before", Set.of("d-x"), Set.of());
        b.track("sid", "pid4", Set.of("d-x"), Map.of());
        append(b, "missed-before-restart", Set.of("d-x"), Set.of());

        store.skip(100); // other streams on the shared partition, or another node, appended meanwhile
        RecoveryBackend after = backend(); // same stores, new state: as after a restart
        String later = append(after, "missed-after-restart", Set.of("d-x"), Set.of());
        assertThat(Long.parseLong(later)).isGreaterThan(Long.parseLong(seen));
        RecoveryBackend.Outcome o = after.restore("pid4", seen).toCompletableFuture().join();
        assertThat(names(o)).containsExactly("missed-before-restart", "missed-after-restart");
        assertThat(o.restored().missedPackets().get(1).get(1).asText()).as("replayed with its offset").isEqualTo(later);
    }

    @Test
    void eventsSentToARoomBeforeTheSessionJoinedItAreNotReplayed() {
        RecoveryBackend b = backend();
        b.joining("pid6", Set.of("d-a"));
        String seen = append(b, "a1", Set.of("d-a"), Set.of());
        append(b, "b-before-join", Set.of("d-b"), Set.of());
        b.joining("pid6", Set.of("d-b"));
        append(b, "b-after-join", Set.of("d-b"), Set.of());
        b.persist("sid", "pid6", Set.of("d-a", "d-b"), Map.of());
        assertThat(names(b.restore("pid6", seen).toCompletableFuture().join())).containsExactly("b-after-join");
    }

    @Test
    void offsetsAreSequenceStreamPositionsAndEventsToOtherRoomsCarryTheLastOne() {
        RecoveryBackend b = backend();
        String durable = append(b, "stored", Set.of("d-1"), Set.of());
        String plain = append(b, "not stored", Set.of("lobby"), Set.of());
        long sequenceEnd = store.endPosition(DurableRecovery.sequenceStream("/")).toCompletableFuture().join();
        assertThat(Long.parseLong(durable)).isLessThan(sequenceEnd);
        assertThat(store.read("/", Long.parseLong(durable), 1).toCompletableFuture().join().messages().get(0).position())
                .as("the offset is the marker's position in the namespace's sequence stream")
                .isEqualTo(Long.parseLong(durable));
        assertThat(plain).as("an event stored nowhere resumes after the last one").isEqualTo(durable);
        assertThat(store.read("/#lobby", 0, 10).toCompletableFuture().join().messages()).isEmpty();
    }

    @Test
    void eventsAreDeliveredInCallOrderEvenWhenTheStoreAnswersOutOfOrder() {
        SlowStreamStore slow = new SlowStreamStore(store);
        if (opened != null) {
            opened.close();
        }
        opened = DurableRecovery.newBuilder(slow, sessions).durable((ns, room) -> room.startsWith("d-")).build().open();
        RecoveryBackend b = opened.create("/", 120_000, 100);
        java.util.List<String> order = new java.util.concurrent.CopyOnWriteArrayList<>();
        ArrayNode first = event("first");
        ArrayNode second = event("second");
        var s1 = b.append(first, Set.of("d-1"), Set.of()).thenRun(() -> order.add("first"));
        var s2 = b.append(second, Set.of("lobby"), Set.of()).thenRun(() -> order.add("second"));
        assertThat(s2.toCompletableFuture().isDone()).as("waits for the durable event before it").isFalse();
        slow.releaseAll();
        s1.toCompletableFuture().join();
        s2.toCompletableFuture().join();
        assertThat(order).containsExactly("first", "second");
        assertThat(second.get(1).asText()).isEqualTo(first.get(1).asText());
    }

    @Test
    void unknownPidsAndBadOffsetsAreNotRecovered() {
        RecoveryBackend b = backend();
        b.persist("sid", "pid5", Set.of("d-1"), Map.of());
        assertThat(b.restore("../../etc/passwd", "1").toCompletableFuture().join().restored()).isNull();
        assertThat(b.restore("nobody", "1").toCompletableFuture().join().restored()).isNull();
        assertThat(b.restore("pid5", "not-a-number").toCompletableFuture().join().restored()).isNull();
    }
}
