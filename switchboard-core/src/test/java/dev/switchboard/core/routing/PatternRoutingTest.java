package dev.switchboard.core.routing;

import static dev.switchboard.core.routing.TestFormats.BINARY;
import static dev.switchboard.core.routing.TestFormats.TEXT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.core.routing.TestFormats.CountingRenderer;
import dev.switchboard.testkit.LeakDetectorExtension;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Pattern subscriptions in the router, alongside rooms: who receives what, once, and what is left behind. */
@ExtendWith(LeakDetectorExtension.class)
class PatternRoutingTest {

    private static DefaultEventLoopGroup loops;
    private static EventExecutor loopA;
    private static EventExecutor loopB;

    private final LocalRouter router = (LocalRouter) Routers.local();
    private final CountingRenderer renderer = new CountingRenderer().on(router);

    @BeforeAll
    static void startLoops() {
        loops = new DefaultEventLoopGroup(2);
        loopA = loops.next();
        loopB = loops.next();
    }

    @AfterAll
    static void stopLoops() throws InterruptedException {
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }

    private int publish(Set<String> to, Set<String> except, Set<String> exceptIds, String payload) throws Exception {
        int n = router.publish(TestFormats.message("/", to, except, exceptIds, payload))
                .toCompletableFuture().get(5, TimeUnit.SECONDS);
        loopA.submit(() -> { }).get(5, TimeUnit.SECONDS);
        loopB.submit(() -> { }).get(5, TimeUnit.SECONDS);
        return n;
    }

    @Test
    void aPublicationReachesRoomMembersAndMatchingPatternsEachOnceRenderedOncePerFormat() throws Exception {
        var member = new RecordingSubscriber("member", loopA, TEXT);
        var plus = new RecordingSubscriber("plus", loopB, BINARY);
        var hash = new RecordingSubscriber("hash", loopA, TEXT);
        var everything = new RecordingSubscriber("everything", loopB, TEXT);
        var other = new RecordingSubscriber("other", loopA, TEXT);
        router.subscribe("/", "sensors/k1/temp", member);
        router.subscribePattern("/", "sensors/+/temp", plus);
        router.subscribePattern("/", "sensors/#", hash);
        // In the room, and matching by two patterns: still once.
        router.subscribe("/", "sensors/k1/temp", everything);
        router.subscribePattern("/", "#", everything);
        router.subscribePattern("/", "+/k1/+", everything);
        router.subscribePattern("/", "sensors/+/humidity", other);

        assertThat(publish(Set.of("sensors/k1/temp"), Set.of(), Set.of(), "21.5")).isEqualTo(4);
        assertThat(member.received).containsExactly("text:21.5");
        assertThat(plus.received).containsExactly("binary:21.5");
        assertThat(hash.received).containsExactly("text:21.5");
        assertThat(everything.received).containsExactly("text:21.5");
        assertThat(other.received).isEmpty();
        assertThat(renderer.calls("21.5", TEXT)).isEqualTo(1);
        assertThat(renderer.calls("21.5", BINARY)).isEqualTo(1);

        // "sensors/#" matches its parent level; nobody is in that room by name.
        assertThat(publish(Set.of("sensors"), Set.of(), Set.of(), "parent")).isEqualTo(2);
        assertThat(hash.received).containsExactly("text:21.5", "text:parent");
        assertThat(everything.received).containsExactly("text:21.5", "text:parent");
        assertThat(router.resolve(TestFormats.message("/", Set.of("sensors/k9/humidity"), Set.of(), Set.of(), "r")))
                .containsExactlyInAnyOrder(hash, everything, other);
    }

    @Test
    void aUnionOfRoomsMatchedByOneFilterDeliversOnce() throws Exception {
        var plus = new RecordingSubscriber("plus", loopA, TEXT);
        var inA = new RecordingSubscriber("inA", loopB, TEXT);
        router.subscribePattern("/", "chat/+", plus);
        router.subscribe("/", "chat/a", inA);
        router.subscribe("/", "chat/b", inA);
        router.subscribe("/", "chat/a", plus);
        assertThat(publish(Set.of("chat/a", "chat/b", "chat/c"), Set.of(), Set.of(), "m")).isEqualTo(2);
        assertThat(plus.received).containsExactly("text:m");
        assertThat(inA.received).containsExactly("text:m");
    }

    @Test
    void exceptRoomsAndIdsExcludePatternSubscribersByMembership() throws Exception {
        var muted = new RecordingSubscriber("muted", loopA, TEXT);
        var sender = new RecordingSubscriber("sender", loopB, TEXT);
        var listener = new RecordingSubscriber("listener", loopA, TEXT);
        router.subscribePattern("/", "news/#", muted);
        router.subscribe("/", "muted", muted);
        router.subscribePattern("/", "news/+", sender);
        router.subscribePattern("/", "news/#", listener);
        // "news/#" matches the excepted room's name too: that is not membership, so listener still receives.
        router.subscribe("/", "news/archive", sender);

        assertThat(publish(Set.of("news/today"), Set.of("muted", "news/archive"), Set.of(), "1")).isEqualTo(1);
        assertThat(muted.received).isEmpty();
        assertThat(sender.received).isEmpty();
        assertThat(listener.received).containsExactly("text:1");

        // Excluding the sender by id, on the cached path (one filter is the only source) and off it.
        router.unsubscribePattern("/", "news/#", muted);
        assertThat(publish(Set.of("news/x"), Set.of(), Set.of("sender"), "2")).isEqualTo(1);
        assertThat(publish(Set.of("news/x"), Set.of(), Set.of("sender"), "3")).isEqualTo(1);
        router.unsubscribePattern("/", "news/#", listener);
        assertThat(publish(Set.of("news/x"), Set.of(), Set.of("sender"), "4")).isZero();
        assertThat(publish(Set.of("news/x"), Set.of(), Set.of(), "5")).isEqualTo(1);
        assertThat(sender.received).containsExactly("text:5");
        assertThat(listener.received).containsExactly("text:1", "text:2", "text:3");
        assertThat(muted.received).isEmpty();
    }

    @Test
    void patternSubscribersAreInTheSpaceAndDetachLeavesNothingBehind() throws Exception {
        var p = new RecordingSubscriber("p", loopA, TEXT);
        var other = new RecordingSubscriber("other", loopB, TEXT);
        router.subscribePattern("/", "a/+", p);
        router.subscribePattern("/", "a/+", p); // idempotent
        router.subscribePattern("/", "b/#", p);
        router.subscribePattern("/other", "#", other);
        assertThat(router.patternsOf("/", p)).containsExactlyInAnyOrder("a/+", "b/#");
        assertThat(router.roomsOf("/", p)).isEmpty();
        assertThat(router.rooms("/")).as("filters are not rooms").isEmpty();

        assertThat(publish(Set.of(), Set.of(), Set.of(), "all")).isEqualTo(1); // whole space
        assertThat(publish(Set.of("a/1"), Set.of(), Set.of(), "a1")).isEqualTo(1);
        router.unsubscribePattern("/", "a/+", p);
        assertThat(router.patternsOf("/", p)).containsExactly("b/#");
        assertThat(publish(Set.of("a/1"), Set.of(), Set.of(), "gone")).isZero();
        assertThat(publish(Set.of(), Set.of(), Set.of(), "still")).as("unsubscribing keeps it in the space")
                .isEqualTo(1);

        router.detach("/", p);
        assertThat(publish(Set.of("b/x"), Set.of(), Set.of(), "gone")).isZero();
        assertThat(publish(Set.of(), Set.of(), Set.of(), "gone")).isZero();
        assertThat(router.patternsOf("/", p)).isEmpty();
        assertThat(p.received).containsExactly("text:all", "text:a1", "text:still");
        assertThat(other.received).isEmpty();
        assertThat(router.spaces()).containsExactly("/other");
        router.unsubscribePattern("/other", "#", other);
        assertThat(router.spaces()).as("still attached").containsExactly("/other");
        router.detach("/other", other);
        assertThat(router.spaces()).isEmpty();
    }

    @Test
    void aPatternAddedOrRemovedIsSeenByTheNextPublicationDespiteTheCache() throws Exception {
        var member = new RecordingSubscriber("member", loopA, TEXT);
        var p = new RecordingSubscriber("p", loopB, TEXT);
        router.subscribe("/", "r/1", member);
        publish(Set.of("r/1"), Set.of(), Set.of(), "1"); // caches the room's members
        router.subscribePattern("/", "r/+", p);
        publish(Set.of("r/1"), Set.of(), Set.of(), "2");
        publish(Set.of("r/2"), Set.of(), Set.of(), "3"); // only the filter: its own snapshot
        publish(Set.of("r/2"), Set.of(), Set.of(), "4");
        router.unsubscribePattern("/", "r/+", p);
        publish(Set.of("r/1"), Set.of(), Set.of(), "5");
        publish(Set.of("r/2"), Set.of(), Set.of(), "6");
        assertThat(member.received).containsExactly("text:1", "text:2", "text:5");
        assertThat(p.received).containsExactly("text:2", "text:3", "text:4");
    }

    @Test
    void dollarRoomsAreNotMatchedByAFirstLevelWildcard() throws Exception {
        var all = new RecordingSubscriber("all", loopA, TEXT);
        var sys = new RecordingSubscriber("sys", loopB, TEXT);
        router.subscribePattern("/", "#", all);
        router.subscribePattern("/", "$SYS/+", sys);
        assertThat(publish(Set.of("$SYS/uptime"), Set.of(), Set.of(), "up")).isEqualTo(1);
        assertThat(publish(Set.of("uptime"), Set.of(), Set.of(), "plain")).isEqualTo(1);
        assertThat(sys.received).containsExactly("text:up");
        assertThat(all.received).containsExactly("text:plain");
    }

    @Test
    void anInvalidFilterIsRefusedAndChangesNothing() {
        var s = new RecordingSubscriber("s", loopA, TEXT);
        assertThatThrownBy(() -> router.subscribePattern("/", "sport/tennis#", s))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid topic filter 'sport/tennis#': '#' must occupy a whole level (MQTT 4.7.1.2)");
        assertThatThrownBy(() -> router.subscribePattern("/", "a/#/b", s))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'#' must be the last level");
        assertThatThrownBy(() -> router.unsubscribePattern("/", "a+", s))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'+' must occupy a whole level");
        assertThat(router.spaces()).isEmpty();
    }
}
