package dev.switchboard.core.routing;

import static dev.switchboard.core.routing.TestFormats.BINARY;
import static dev.switchboard.core.routing.TestFormats.TEXT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.core.message.Message;
import dev.switchboard.core.routing.TestFormats.CountingRenderer;
import dev.switchboard.testkit.LeakDetectorExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LeakDetectorExtension.class)
class LocalRouterTest {

    private static DefaultEventLoopGroup loops;
    private static EventExecutor loopA;
    private static EventExecutor loopB;

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final LocalRouter router = (LocalRouter) Routers.local(RouterConfig.builder()
            .metrics(RoutingMetrics.micrometer(meters)).build());
    private final CountingRenderer renderer = new CountingRenderer().on(router);

    @BeforeAll
    static void startLoops() {
        loops = new DefaultEventLoopGroup(2);
        loopA = loops.next();
        loopB = loops.next();
        assertThat(loopA).isNotSameAs(loopB);
    }

    @AfterAll
    static void stopLoops() throws InterruptedException {
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }

    private static Message to(String space, Set<String> to, Set<String> except, Set<String> exceptIds, String payload) {
        return TestFormats.message(space, to, except, exceptIds, payload);
    }

    /** Waits until everything submitted to both loops before this call has run. */
    private static void drainLoops() throws Exception {
        loopA.submit(() -> { }).get(5, TimeUnit.SECONDS);
        loopB.submit(() -> { }).get(5, TimeUnit.SECONDS);
    }

    @Test
    void roomPublicationReachesRoomMembersOnlyRenderedOncePerFormat() throws Exception {
        var a = new RecordingSubscriber("a", loopA, TEXT);
        var b = new RecordingSubscriber("b", loopB, BINARY);
        var c = new RecordingSubscriber("c", loopA, TEXT);
        var outsider = new RecordingSubscriber("x", loopB, TEXT);
        router.subscribe("/", "r", a);
        router.subscribe("/", "r", b);
        router.subscribe("/", "r", c);
        router.subscribe("/", "other", outsider);

        int n = router.publish(to("/", Set.of("r"), Set.of(), Set.of(), "hi")).toCompletableFuture().get();
        drainLoops();

        assertThat(n).isEqualTo(3);
        assertThat(a.received).containsExactly("text:hi");
        assertThat(b.received).containsExactly("binary:hi");
        assertThat(c.received).containsExactly("text:hi");
        assertThat(outsider.received).isEmpty();
        assertThat(renderer.calls("hi", TEXT)).isEqualTo(1);
        assertThat(renderer.calls("hi", BINARY)).isEqualTo(1);
        assertThat(a.flushes.get() + b.flushes.get() + c.flushes.get()).isEqualTo(3);
        assertThat(a.wrongThread.get() + b.wrongThread.get() + c.wrongThread.get()).isZero();
        assertThat(meters.counter("switchboard.routing.deliveries", "outcome", "written").count()).isEqualTo(3.0);
    }

    @Test
    void unionOfRoomsDeliversOnceMinusExceptRoomsAndIds() throws Exception {
        var inBoth = new RecordingSubscriber("both", loopA, TEXT);
        var inOne = new RecordingSubscriber("one", loopB, TEXT);
        var excludedByRoom = new RecordingSubscriber("muted", loopA, TEXT);
        var sender = new RecordingSubscriber("sender", loopB, TEXT);
        router.subscribe("/chat", "r1", inBoth);
        router.subscribe("/chat", "r2", inBoth);
        router.subscribe("/chat", "r2", inOne);
        router.subscribe("/chat", "r1", excludedByRoom);
        router.subscribe("/chat", "muted", excludedByRoom);
        router.subscribe("/chat", "r1", sender);

        Message p = to("/chat", Set.of("r1", "r2"), Set.of("muted"), Set.of("sender"), "m");
        assertThat(router.resolve(p)).containsExactlyInAnyOrder(inBoth, inOne);
        router.publish(p).toCompletableFuture().get();
        drainLoops();

        assertThat(inBoth.received).containsExactly("text:m");
        assertThat(inOne.received).containsExactly("text:m");
        assertThat(excludedByRoom.received).isEmpty();
        assertThat(sender.received).isEmpty();
    }

    @Test
    void wholeSpacePublicationReachesAttachedSubscribersOfThatSpaceOnly() throws Exception {
        var attached = new RecordingSubscriber("att", loopA, TEXT);
        var inRoom = new RecordingSubscriber("room", loopB, TEXT);
        var otherSpace = new RecordingSubscriber("else", loopA, TEXT);
        router.attach("/", attached);
        router.attach("/", attached); // idempotent
        router.subscribe("/", "r", inRoom);
        router.attach("/other", otherSpace);

        router.publish(to("/", Set.of(), Set.of(), Set.of(), "all"))
                .toCompletableFuture().get();
        drainLoops();

        assertThat(attached.received).containsExactly("text:all");
        assertThat(inRoom.received).containsExactly("text:all");
        assertThat(otherSpace.received).isEmpty();
    }

    @Test
    void leaveAndDetachAreSeenByTheNextPublicationAndLeaveNothingBehind() throws Exception {
        var s = new RecordingSubscriber("s", loopA, TEXT);
        router.subscribe("/", "r1", s);
        router.subscribe("/", "r2", s);
        assertThat(router.roomsOf("/", s)).containsExactlyInAnyOrder("r1", "r2");
        assertThat(router.rooms("/")).containsExactlyInAnyOrder("r1", "r2");

        router.unsubscribe("/", "r1", s);
        router.publish(to("/", Set.of("r1"), Set.of(), Set.of(), "gone")).toCompletableFuture().get();
        assertThat(router.rooms("/")).containsExactly("r2");

        router.detach("/", s);
        router.publish(to("/", Set.of(), Set.of(), Set.of(), "gone")).toCompletableFuture().get();
        drainLoops();

        assertThat(s.received).isEmpty();
        assertThat(router.roomsOf("/", s)).isEmpty();
        assertThat(router.rooms("/")).isEmpty();
        assertThat(router.spaces()).isEmpty();
    }

    @Test
    void nobodyToDeliverToMeansNoRendering() throws Exception {
        assertThat(router.publish(to("/", Set.of("empty"), Set.of(), Set.of(), "x")).toCompletableFuture().get()).isZero();
        assertThat(renderer.calls).isEmpty();
    }

    @Test
    void outcomesAreCountedAndOnlyAcceptingSubscribersAreFlushed() throws Exception {
        var ok = new RecordingSubscriber("ok", loopA, TEXT);
        var slow = new RecordingSubscriber("slow", loopA, TEXT);
        slow.outcome = Subscriber.Delivery.DROPPED_VOLATILE;
        var closing = new RecordingSubscriber("closing", loopB, TEXT);
        closing.outcome = Subscriber.Delivery.REJECTED;
        for (var s : List.of(ok, slow, closing)) {
            router.subscribe("/", "r", s);
        }
        router.publish(to("/", Set.of("r"), Set.of(), Set.of(), "v").toBuilder().isVolatile(true).build())
                .toCompletableFuture().get();
        drainLoops();

        assertThat(ok.flushes.get()).isEqualTo(1);
        assertThat(slow.flushes.get()).isZero();
        assertThat(closing.flushes.get()).isZero();
        assertThat(meters.counter("switchboard.routing.deliveries", "outcome", "written").count()).isEqualTo(1.0);
        assertThat(meters.counter("switchboard.routing.deliveries", "outcome", "dropped_volatile").count()).isEqualTo(1.0);
        assertThat(meters.counter("switchboard.routing.deliveries", "outcome", "rejected").count()).isEqualTo(1.0);
    }

    @Test
    void theEncodingIsReleasedOnceEveryLoopHasWrittenIt() throws Exception {
        var a = new RecordingSubscriber("a", loopA, TEXT);
        var b = new RecordingSubscriber("b", loopB, TEXT);
        router.subscribe("/", "r", a);
        router.subscribe("/", "r", b);
        AtomicReference<EncodedMessage> made = new AtomicReference<>();
        WireFormat tracked = () -> "tracked";
        router.register(tracked, (message, format, alloc) -> {
            EncodedMessage m = EncodedMessage.of(format,
                    ByteBufUtil.writeUtf8(UnpooledByteBufAllocator.DEFAULT, "payload"));
            made.set(m);
            return m;
        });
        a.format = tracked;
        b.format = tracked;
        router.publish(to("/", Set.of("r"), Set.of(), Set.of(), "e")).toCompletableFuture().get();
        await().atMost(Duration.ofSeconds(5)).until(() -> made.get().refCnt() == 0);
        assertThat(a.received).containsExactly("payload");
    }

    @Test
    void aThrowingSubscriberDoesNotStopTheOthers() throws Exception {
        var bad = new RecordingSubscriber("bad", loopA, TEXT) {
            @Override
            public Delivery deliver(EncodedMessage message, boolean isVolatile) {
                throw new IllegalStateException("boom");
            }
        };
        var good = new RecordingSubscriber("good", loopA, TEXT);
        router.subscribe("/", "r", bad);
        router.subscribe("/", "r", good);
        router.publish(to("/", Set.of("r"), Set.of(), Set.of(), "k")).toCompletableFuture().get();
        drainLoops();
        assertThat(good.received).containsExactly("text:k");
        assertThat(meters.counter("switchboard.routing.deliveries", "outcome", "rejected").count()).isEqualTo(1.0);
    }

    @Test
    void orderIsKeptPerPublisher() throws Exception {
        var a = new RecordingSubscriber("a", loopA, TEXT);
        router.subscribe("/", "r", a);
        for (int i = 0; i < 200; i++) {
            router.publish(to("/", Set.of("r"), Set.of(), Set.of(), Integer.toString(i)));
        }
        drainLoops();
        assertThat(a.received).hasSize(200);
        for (int i = 0; i < 200; i++) {
            assertThat(a.received.get(i)).isEqualTo("text:" + i);
        }
    }

    @Test
    void aFormatThatCannotBeRenderedIsSkippedAndCountedWithoutFailingTheOthers() throws Exception {
        var text = new RecordingSubscriber("t", loopA, TEXT);
        var failing = new RecordingSubscriber("f", loopB, TEXT);
        var refusing = new RecordingSubscriber("r", loopA, TEXT);
        var unknown = new RecordingSubscriber("u", loopB, TEXT);
        WireFormat throwing = () -> "throwing";
        WireFormat declining = () -> "declining";
        router.register(throwing, (message, format, alloc) -> {
            throw new IllegalArgumentException("cannot render for " + format.name());
        });
        router.register(declining, (message, format, alloc) -> null);
        failing.format = throwing;
        refusing.format = declining;
        unknown.format = () -> "nobody-registered-me";
        for (var s : List.of(text, failing, refusing, unknown)) {
            router.subscribe("/", "r", s);
        }
        var stage = router.publish(to("/", Set.of("r"), Set.of(), Set.of(), "x")).toCompletableFuture();
        assertThat(stage.get()).isEqualTo(1);
        drainLoops();
        assertThat(text.received).containsExactly("text:x");
        assertThat(failing.received).isEmpty();
        assertThat(refusing.received).isEmpty();
        assertThat(unknown.received).isEmpty();
        assertThat(meters.counter("switchboard.routing.deliveries", "outcome", "unrenderable").count()).isEqualTo(3.0);
        assertThat(meters.counter("switchboard.routing.deliveries", "outcome", "written").count()).isEqualTo(1.0);
    }

    @Test
    void aSecondRendererForAFormatIsRefused() {
        router.register(TEXT, renderer); // the same one again: fine
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> router.register(TEXT, new CountingRenderer()))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aSubscriberWhoseLoopHasShutDownCountsAsRejected() throws Exception {
        DefaultEventLoopGroup gone = new DefaultEventLoopGroup(1);
        EventExecutor deadLoop = gone.next();
        gone.shutdownGracefully(0, 0, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        var orphan = new RecordingSubscriber("orphan", deadLoop, TEXT);
        var alive = new RecordingSubscriber("alive", loopA, TEXT);
        router.subscribe("/", "r", orphan);
        router.subscribe("/", "r", alive);
        router.publish(to("/", Set.of("r"), Set.of(), Set.of(), "z")).toCompletableFuture().get();
        drainLoops();
        assertThat(alive.received).containsExactly("text:z");
        assertThat(meters.counter("switchboard.routing.deliveries", "outcome", "rejected").count()).isEqualTo(1.0);
    }

    @Test
    void aCachedMembershipIsNeverUsedAfterAJoinOrLeave() throws Exception {
        var a = new RecordingSubscriber("a", loopA, TEXT);
        var b = new RecordingSubscriber("b", loopB, TEXT);
        router.subscribe("/", "r", a);
        publishTo("r", "1"); // resolves and caches {a}
        publishTo("r", "2"); // served from the cache
        router.subscribe("/", "r", b);
        publishTo("r", "3"); // must see b
        router.unsubscribe("/", "r", a);
        publishTo("r", "4"); // must not see a
        router.attach("/", a);
        router.detach("/", b);
        router.publish(to("/", Set.of(), Set.of(), Set.of(), "5")).toCompletableFuture().get();
        router.publish(to("/", Set.of(), Set.of(), Set.of(), "6")).toCompletableFuture().get();
        drainLoops();
        assertThat(a.received).containsExactly("text:1", "text:2", "text:3", "text:5", "text:6");
        assertThat(b.received).containsExactly("text:3", "text:4");
    }

    private void publishTo(String room, String payload) throws Exception {
        router.publish(to("/", Set.of(room), Set.of(), Set.of(), payload)).toCompletableFuture().get();
    }

    @Test
    void aBroadcastExcludingTheSenderSkipsItOnTheCachedPathAndCountsExactly() throws Exception {
        var sender = new RecordingSubscriber("sender", loopA, TEXT);
        var other = new RecordingSubscriber("other", loopA, TEXT);
        var third = new RecordingSubscriber("third", loopB, BINARY);
        var outsider = new RecordingSubscriber("outsider", loopB, TEXT); // in the space, not the room
        router.subscribe("/", "r", sender);
        router.subscribe("/", "r", other);
        router.subscribe("/", "r", third);
        router.attach("/", outsider);
        Message broadcast = to("/", Set.of("r"), Set.of(), Set.of("sender"), "hi");
        assertThat(router.publish(broadcast).toCompletableFuture().get()).isEqualTo(2); // takes the snapshot
        assertThat(router.publish(broadcast).toCompletableFuture().get()).isEqualTo(2); // uses it
        // Excluding someone who is not in the room changes nothing.
        assertThat(router.publish(to("/", Set.of("r"), Set.of(), Set.of("outsider", "nobody"), "hi"))
                .toCompletableFuture().get()).isEqualTo(3);
        assertThat(router.resolve(broadcast)).containsExactlyInAnyOrder(other, third);
        // A broadcast that excludes the room's only TEXT subscriber encodes no TEXT.
        router.unsubscribe("/", "r", other);
        assertThat(router.publish(to("/", Set.of("r"), Set.of(), Set.of("sender"), "b"))
                .toCompletableFuture().get()).isEqualTo(1);
        drainLoops();
        assertThat(sender.received).containsExactly("text:hi");
        assertThat(other.received).containsExactly("text:hi", "text:hi", "text:hi");
        assertThat(third.received).containsExactly("binary:hi", "binary:hi", "binary:hi", "binary:b");
        assertThat(outsider.received).isEmpty();
        assertThat(renderer.calls("b", TEXT)).isZero();
        assertThat(renderer.calls("b", BINARY)).isEqualTo(1);
    }
}
