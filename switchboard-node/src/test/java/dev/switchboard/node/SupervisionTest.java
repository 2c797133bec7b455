package dev.switchboard.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.core.message.Message;
import dev.switchboard.core.node.Component;
import dev.switchboard.core.node.ComponentContext;
import dev.switchboard.core.node.SupervisionPolicy;
import dev.switchboard.core.routing.EncodedMessage;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.routing.Routers;
import dev.switchboard.core.routing.Subscriber;
import dev.switchboard.core.routing.WireFormat;
import dev.switchboard.node.ComponentStatus.State;
import dev.switchboard.testkit.LeakDetectorExtension;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.DefaultEventLoop;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LeakDetectorExtension.class)
class SupervisionTest {

    private static final ActorTestKit testKit = ActorTestKit.create();
    private static final Duration WAIT = Duration.ofSeconds(10);

    private Health health;
    private ActorRef<NodeGuardian.Command> guardian;
    private TestProbe<Done> replies;

    @BeforeEach
    void startGuardian() {
        health = new Health(Clock.systemUTC());
        guardian = testKit.spawn(NodeGuardian.create(health));
        replies = testKit.createTestProbe();
    }

    @AfterAll
    static void stopTestKit() {
        testKit.shutdownTestKit();
    }

    private void supervise(String name, Component c, SupervisionPolicy policy) {
        assertThat(health.register(name)).isTrue();
        guardian.tell(new NodeGuardian.Supervise(name, c, policy, replies.getRef()));
        replies.expectMessage(Done.getInstance());
    }

    private static SupervisionPolicy fastBackoff(int maxRestarts) {
        return SupervisionPolicy.builder()
                .backoff(Duration.ofMillis(100), Duration.ofMillis(400))
                .randomFactor(0)
                .maxRestarts(maxRestarts)
                .build();
    }

    private State state(String name) {
        return health.component(name).map(ComponentStatus::state).orElse(null);
    }

    /** Starts fail with an IOException (the outside is down) until {@code healAfter} starts. */
    static final class FlakyComponent implements Component {
        final int healAfter;
        final List<Long> startTimes = new CopyOnWriteArrayList<>();
        final AtomicInteger stops = new AtomicInteger();
        final AtomicReference<ComponentContext> context = new AtomicReference<>();

        FlakyComponent(int healAfter) {
            this.healAfter = healAfter;
        }

        @Override
        public void start(ComponentContext ctx) throws IOException {
            startTimes.add(System.nanoTime());
            context.set(ctx);
            if (startTimes.size() <= healAfter) {
                throw new IOException("connection refused (start " + ctx.incarnation() + ")");
            }
        }

        @Override
        public void stop() {
            stops.incrementAndGet();
        }
    }

    @Test
    void aFailingComponentIsRestartedWithBackoffWhilePublicationsContinue() throws Exception {
        FlakyComponent steady = new FlakyComponent(0);
        supervise("steady", steady, fastBackoff(10));
        FlakyComponent flaky = new FlakyComponent(3);
        supervise("flaky", flaky, fastBackoff(10));

        // While "flaky" is backing off, the fabric keeps delivering.
        Router router = Routers.local();
        DefaultEventLoop loop = new DefaultEventLoop();
        try {
            Counting sub = new Counting("s1", loop);
            router.register(sub.wireFormat(), (m, f, alloc) -> EncodedMessage.of(f, ByteBufUtil.writeAscii(alloc,
                    m.event())));
            router.subscribe("/", "room", sub);
            int published = 0;
            while (flaky.startTimes.size() < 4) {
                router.publish(Message.builder("/", "x").rooms(Set.of("room")).build());
                published++;
                loop.submit(() -> { }).get(5, TimeUnit.SECONDS);
                assertThat(sub.delivered.get()).isEqualTo(published);
                assertThat(state("steady")).isEqualTo(State.UP);
            }
            assertThat(published).isGreaterThan(1);
        } finally {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        }

        await().atMost(WAIT).until(() -> state("flaky") == State.UP);
        ComponentStatus status = health.component("flaky").orElseThrow();
        assertThat(status.failures()).isEqualTo(3);
        assertThat(status.lastError()).contains("IOException").contains("connection refused");
        // Backoff: 100, 200, 400 ms (no jitter) between the four starts.
        List<Long> t = flaky.startTimes;
        assertThat(TimeUnit.NANOSECONDS.toMillis(t.get(1) - t.get(0))).isGreaterThanOrEqualTo(90);
        assertThat(TimeUnit.NANOSECONDS.toMillis(t.get(2) - t.get(1))).isGreaterThanOrEqualTo(190);
        assertThat(TimeUnit.NANOSECONDS.toMillis(t.get(3) - t.get(2))).isGreaterThanOrEqualTo(390);
        // Each failed start was cleaned up.
        assertThat(flaky.stops.get()).isEqualTo(3);
        assertThat(health.overall()).isEqualTo(Health.Overall.UP);
        assertThat(steady.startTimes).hasSize(1);
    }

    @Test
    void aRuntimeFailureReportedThroughTheContextRestartsAndAStaleReportIsIgnored() {
        FlakyComponent c = new FlakyComponent(0);
        supervise("bridge", c, fastBackoff(5));
        await().atMost(WAIT).until(() -> state("bridge") == State.UP);
        ComponentContext first = c.context.get();

        first.fail(new IOException("broker connection lost"));
        await().atMost(WAIT).until(() -> c.startTimes.size() == 2 && state("bridge") == State.UP);
        assertThat(c.stops.get()).isEqualTo(1);
        assertThat(c.context.get().incarnation()).isEqualTo(2);

        // The first incarnation's late callback must not fail its successor. It is followed (same sender,
        // so in order) by a genuine failure of the second: had the stale report been honoured, the
        // genuine one would arrive from a replaced incarnation and be the one ignored.
        first.fail(new IOException("late close callback of the old connection"));
        c.context.get().fail(new IOException("second connection lost"));
        await().atMost(WAIT).until(() -> c.startTimes.size() == 3 && state("bridge") == State.UP);
        ComponentStatus status = health.component("bridge").orElseThrow();
        assertThat(status.failures()).isEqualTo(2);
        assertThat(status.lastError()).contains("second connection lost");
    }

    @Test
    void aComponentFailingPastItsLimitIsReportedFailedWhileOthersServe() {
        FlakyComponent steady = new FlakyComponent(0);
        supervise("steady", steady, fastBackoff(10));
        FlakyComponent hopeless = new FlakyComponent(Integer.MAX_VALUE);
        supervise("hopeless", hopeless, fastBackoff(2));

        await().atMost(WAIT).until(() -> state("hopeless") == State.FAILED);
        assertThat(hopeless.startTimes).hasSize(3); // first start plus two restarts
        assertThat(health.overall()).isEqualTo(Health.Overall.DOWN);
        assertThat(health.isReady()).isFalse();
        assertThat(state("steady")).isEqualTo(State.UP);
        assertThat(steady.stops.get()).isZero();
    }

    @Test
    void aProgrammingErrorStopsTheComponentAtOnce() {
        AtomicInteger starts = new AtomicInteger();
        Component buggy = new Component() {
            @Override
            public void start(ComponentContext context) {
                starts.incrementAndGet();
                throw new NullPointerException("config.port");
            }

            @Override
            public void stop() {}
        };
        supervise("buggy", buggy, fastBackoff(10));
        await().atMost(WAIT).until(() -> state("buggy") == State.FAILED);
        assertThat(starts.get()).isEqualTo(1);
        assertThat(health.component("buggy").orElseThrow().lastError()).contains("NullPointerException: config.port");
    }

    @Test
    void stopAllStopsComponentsInReverseOrderOfRegistration() {
        List<String> stopped = new CopyOnWriteArrayList<>();
        for (String name : List.of("store", "namespace", "listener")) {
            supervise(name, new Component() {
                @Override
                public void start(ComponentContext context) {}

                @Override
                public void stop() {
                    stopped.add(name);
                }
            }, SupervisionPolicy.restartWithBackoff());
        }
        await().atMost(WAIT).until(() -> health.overall() == Health.Overall.UP && health.components().size() == 3);
        guardian.tell(new NodeGuardian.StopAll(replies.getRef()));
        replies.expectMessage(WAIT, Done.getInstance());
        assertThat(stopped).containsExactly("listener", "namespace", "store");
        assertThat(health.components()).isEmpty();
    }

    /** A component that is an actor: counts what it is sent; fails on demand. */
    interface Cmd {}

    record Add(int n, ActorRef<Integer> replyTo) implements Cmd {}

    record Break(RuntimeException error) implements Cmd {}

    static org.apache.pekko.actor.typed.Behavior<Cmd> counter(AtomicInteger starts) {
        return org.apache.pekko.actor.typed.javadsl.Behaviors.setup(ctx -> {
            starts.incrementAndGet();
            int[] total = {0};
            return org.apache.pekko.actor.typed.javadsl.Behaviors.receive(Cmd.class)
                    .onMessage(Add.class, add -> {
                        total[0] += add.n();
                        add.replyTo().tell(total[0]);
                        return org.apache.pekko.actor.typed.javadsl.Behaviors.same();
                    })
                    .onMessage(Break.class, b -> {
                        throw b.error();
                    })
                    .build();
        });
    }

    private ActorRef<Cmd> spawnCounter(String name, AtomicInteger starts, SupervisionPolicy policy) {
        assertThat(health.register(name)).isTrue();
        TestProbe<ActorRef<Cmd>> spawned = testKit.createTestProbe();
        guardian.tell(new NodeGuardian.SpawnActor<>(name, counter(starts), policy, spawned.getRef()));
        return spawned.receiveMessage();
    }

    @Test
    void anActorComponentIsRestartedWithBackoffAndKeepsItsMessages() {
        AtomicInteger starts = new AtomicInteger();
        ActorRef<Cmd> counter = spawnCounter("sequencer", starts, fastBackoff(5));
        TestProbe<Integer> sums = testKit.createTestProbe();
        await().atMost(WAIT).until(() -> state("sequencer") == State.UP);
        counter.tell(new Add(2, sums.getRef()));
        sums.expectMessage(2);

        // An outside failure (wrapped I/O trouble): restarted after the backoff, state starts over.
        counter.tell(new Break(new java.io.UncheckedIOException(new IOException("log segment unreadable"))));
        counter.tell(new Add(5, sums.getRef())); // sent during the backoff: kept, answered after restart
        sums.expectMessage(WAIT, 5);
        assertThat(starts.get()).isEqualTo(2);
        await().atMost(WAIT).until(() -> state("sequencer") == State.UP);
        assertThat(health.component("sequencer").orElseThrow().failures()).isEqualTo(1);
        assertThat(health.component("sequencer").orElseThrow().lastError()).contains("log segment unreadable");
    }

    @Test
    void anActorComponentWithAProgrammingErrorIsReportedFailed() {
        AtomicInteger starts = new AtomicInteger();
        ActorRef<Cmd> counter = spawnCounter("presence", starts, fastBackoff(5));
        await().atMost(WAIT).until(() -> state("presence") == State.UP);
        counter.tell(new Break(new IllegalStateException("invariant broken")));
        await().atMost(WAIT).until(() -> state("presence") == State.FAILED);
        assertThat(starts.get()).isEqualTo(1);
        assertThat(health.isReady()).isFalse();
    }

    static final class Counting implements Subscriber {
        final String id;
        final EventExecutor loop;
        final AtomicInteger delivered = new AtomicInteger();

        Counting(String id, EventExecutor loop) {
            this.id = id;
            this.loop = loop;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public EventExecutor executor() {
            return loop;
        }

        @Override
        public WireFormat wireFormat() {
            return FORMAT;
        }

        @Override
        public Delivery deliver(EncodedMessage message, boolean isVolatile) {
            delivered.incrementAndGet();
            return Delivery.WRITTEN;
        }

        @Override
        public void flush() {}
    }

    static final WireFormat FORMAT = () -> "test";
}
