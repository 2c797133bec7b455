package dev.switchboard.core.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.switchboard.core.message.Message;
import dev.switchboard.core.node.NodeConfig;
import dev.switchboard.core.node.SupervisionPolicy;
import dev.switchboard.core.routing.EncodedMessage;
import dev.switchboard.core.routing.Subscriber;
import dev.switchboard.core.routing.WireFormat;
import dev.switchboard.node.ComponentStatus;
import dev.switchboard.node.SwitchboardNode;
import dev.switchboard.testkit.LeakDetectorExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBufUtil;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.EventExecutor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The bridge runtime on a real node and router: inbound acceptance and its window (pause, full, resume),
 * outbound rules, confirmation, failure and timeout, restart by supervision, and the metrics.
 */
@ExtendWith(LeakDetectorExtension.class)
class BridgeRuntimeTest {

    private static final WireFormat TEXT = () -> "test-text";
    private static final Duration WAIT = Duration.ofSeconds(15);

    private SwitchboardNode node;
    private SimpleMeterRegistry registry;
    private EventExecutor loop;
    private final List<BridgeHandle> handles = new ArrayList<>();

    /** A room member that records the event names it receives. */
    private static final class Member implements Subscriber {
        final EventExecutor loop;
        final List<String> events = new CopyOnWriteArrayList<>();

        Member(EventExecutor loop) {
            this.loop = loop;
        }

        @Override
        public String id() {
            return "member";
        }

        @Override
        public EventExecutor executor() {
            return loop;
        }

        @Override
        public WireFormat wireFormat() {
            return TEXT;
        }

        @Override
        public Delivery deliver(EncodedMessage message, boolean isVolatile) {
            events.add(message.frame(0).toString(StandardCharsets.UTF_8));
            return Delivery.WRITTEN;
        }

        @Override
        public void flush() {}
    }

    @BeforeEach
    void start() {
        node = SwitchboardNode.start(NodeConfig.builder().name("bridge-test").build());
        node.router().register(TEXT, (m, f, alloc) -> EncodedMessage.of(f, ByteBufUtil.writeUtf8(alloc, m.event())));
        registry = new SimpleMeterRegistry();
        loop = new DefaultEventExecutor();
    }

    @AfterEach
    void stop() throws Exception {
        handles.forEach(BridgeHandle::close);
        node.close();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    private BridgeHandle run(BridgeConfig config, Bridge bridge, InboundStorage storage) {
        BridgeHandle h = Bridges.start(node, config, bridge, storage, BridgeMetrics.micrometer(registry));
        handles.add(h);
        await().atMost(WAIT).until(() -> state(h.componentName()) == ComponentStatus.State.UP);
        return h;
    }

    private ComponentStatus.State state(String component) {
        return node.health().components().stream().filter(c -> c.name().equals(component))
                .map(ComponentStatus::state).findFirst().orElse(null);
    }

    private double count(String name, String... tags) {
        var c = registry.find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    private static <T> T get(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Test
    void inboundRecordReachesTheRoomAndIsAcceptedWithItsOrigin() throws Exception {
        ScriptedBridge bridge = new ScriptedBridge();
        run(BridgeConfig.builder("in").build(), bridge, InboundStorage.NONE);
        Member member = new Member(loop);
        node.router().subscribe("/", "news", member);

        Inbound.Accepted a = get(bridge.inbound().publish(Message.builder("/", "headline").rooms(Set.of("news")).build()));

        assertThat(a.recipients()).isEqualTo(1);
        assertThat(a.position()).isEqualTo(Message.NO_POSITION);
        await().atMost(WAIT).until(() -> member.events.contains("headline"));
        assertThat(count("switchboard.bridge.in", "bridge", "in")).isEqualTo(1);
        assertThat(bridge.inbound().inFlight()).isZero();
    }

    @Test
    void acceptanceWaitsForStorageAndCarriesThePosition() throws Exception {
        ScriptedBridge bridge = new ScriptedBridge();
        CompletableFuture<Void> stored = new CompletableFuture<>();
        InboundStorage storage = m -> stored.thenApply(v -> m.toBuilder().position(42).build());
        run(BridgeConfig.builder("durable").build(), bridge, storage);
        Member member = new Member(loop);
        node.router().subscribe("/", "orders", member);

        CompletionStage<Inbound.Accepted> accepted = bridge.inbound().publish(
                Message.builder("/", "order").rooms(Set.of("orders")).build());

        assertThat(accepted.toCompletableFuture().isDone()).as("accepted before it was stored").isFalse();
        assertThat(member.events).as("delivered before it was stored").isEmpty();
        stored.complete(null);
        assertThat(get(accepted).position()).isEqualTo(42);
        await().atMost(WAIT).until(() -> member.events.contains("order"));
    }

    @Test
    void aFullWindowPausesTheSourceRefusesMoreAndResumesAtHalf() throws Exception {
        ScriptedBridge bridge = new ScriptedBridge();
        List<CompletableFuture<Void>> gates = new CopyOnWriteArrayList<>();
        InboundStorage storage = m -> {
            CompletableFuture<Void> gate = new CompletableFuture<>();
            gates.add(gate);
            return gate.thenApply(v -> m);
        };
        run(BridgeConfig.builder("window").inboundMaxInFlight(4).build(), bridge, storage);
        Inbound in = bridge.inbound();
        List<CompletionStage<Inbound.Accepted>> stages = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            stages.add(in.publish(Message.builder("/", "e" + i).rooms(Set.of("r")).build()));
        }
        assertThat(bridge.pauses.get()).isZero();
        stages.add(in.publish(Message.builder("/", "e3").rooms(Set.of("r")).build()));
        // The call that filled the window paused the source before returning.
        assertThat(bridge.pauses.get()).isEqualTo(1);
        assertThat(in.paused()).isTrue();

        CompletionStage<Inbound.Accepted> refused = in.publish(Message.builder("/", "e4").rooms(Set.of("r")).build());
        assertThatThrownBy(() -> get(refused)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(InboundFullException.class);
        assertThat(count("switchboard.bridge.failed", "bridge", "window", "direction", "in", "reason", "full")).isEqualTo(1);
        assertThat(registry.get("switchboard.bridge.in.flight").tags("bridge", "window", "direction", "in").gauge().value())
                .isEqualTo(4);

        gates.get(0).complete(null);
        get(stages.get(0));
        assertThat(bridge.resumes.get()).as("resumed above half").isZero();
        gates.get(1).complete(null);
        get(stages.get(1));
        assertThat(bridge.resumes.get()).as("resumed at half").isEqualTo(1);
        assertThat(in.paused()).isFalse();
        gates.forEach(g -> g.complete(null));
        for (CompletionStage<Inbound.Accepted> s : stages) {
            get(s);
        }
        assertThat(count("switchboard.bridge.in", "bridge", "window")).isEqualTo(4);
    }

    @Test
    void roomRuleSendsMatchingMessagesOutOnTheBridgeThreadButNotItsOwn() throws Exception {
        ScriptedBridge bridge = new ScriptedBridge();
        bridge.onSend = m -> CompletableFuture.completedFuture(null);
        run(BridgeConfig.builder("out").rule("/", "news/+").build(), bridge, InboundStorage.NONE);

        node.router().publish(Message.builder("/", "a").rooms(Set.of("news/eu")).build());
        node.router().publish(Message.builder("/", "b").rooms(Set.of("sport/eu")).build());
        node.router().publish(Message.builder("/chat", "c").rooms(Set.of("news/eu")).build());
        get(bridge.inbound().publish(Message.builder("/", "own").rooms(Set.of("news/us")).build()));
        node.router().publish(Message.builder("/", "d").rooms(Set.of("news/us")).build());

        await().atMost(WAIT).until(() -> bridge.sent.size() >= 2);
        assertThat(bridge.sent.stream().map(s -> s.message().event()).toList()).containsExactly("a", "d");
        assertThat(bridge.sendThreads).allMatch(t -> t.startsWith("bridge-out"));
        await().atMost(WAIT).until(() -> count("switchboard.bridge.out", "bridge", "out") == 2);
    }

    @Test
    void sendCompletesOnlyWhenTheExternalSystemConfirmed() throws Exception {
        ScriptedBridge bridge = new ScriptedBridge();
        BridgeHandle h = run(BridgeConfig.builder("confirm").event("/", "order").build(), bridge, InboundStorage.NONE);

        CompletionStage<Void> done = h.send(Message.builder("/", "order").arguments("[1]").build());
        await().atMost(WAIT).until(() -> bridge.sent.size() == 1);
        assertThat(done.toCompletableFuture().isDone()).isFalse();
        assertThat(h.outboundInFlight()).isEqualTo(1);

        bridge.sent.get(0).confirmation().complete(null);
        get(done);
        assertThat(h.outboundInFlight()).isZero();
        assertThat(bridge.sent.get(0).message().argumentsJson()).isEqualTo("[1]");
    }

    @Test
    void refusedTimedOutAndOverflowingSendsFailWithTheirReason() throws Exception {
        ScriptedBridge bridge = new ScriptedBridge();
        BridgeHandle h = run(BridgeConfig.builder("bad").outboundMaxInFlight(1).outboundTimeout(Duration.ofSeconds(1)).build(),
                bridge, InboundStorage.NONE);

        bridge.onSend = m -> CompletableFuture.failedFuture(new java.io.IOException("broker said no"));
        assertThatThrownBy(() -> get(h.send(Message.builder("/", "x").build())))
                .hasCauseInstanceOf(java.io.IOException.class);

        bridge.onSend = m -> new CompletableFuture<>(); // never confirmed
        CompletionStage<Void> slow = h.send(Message.builder("/", "slow").build());
        await().atMost(WAIT).until(() -> h.outboundInFlight() == 1);
        assertThatThrownBy(() -> get(h.send(Message.builder("/", "over").build())))
                .hasCauseInstanceOf(OutboundFullException.class);
        assertThatThrownBy(() -> get(slow)).hasCauseInstanceOf(TimeoutException.class);

        assertThat(count("switchboard.bridge.failed", "bridge", "bad", "direction", "out", "reason", "error")).isEqualTo(1);
        assertThat(count("switchboard.bridge.failed", "bridge", "bad", "direction", "out", "reason", "full")).isEqualTo(1);
        assertThat(count("switchboard.bridge.failed", "bridge", "bad", "direction", "out", "reason", "timeout")).isEqualTo(1);
        assertThat(h.outboundInFlight()).isZero();
    }

    @Test
    void aBridgeThatThrowsIsRestartedWhileAnotherKeepsWorking() throws Exception {
        ScriptedBridge flaky = new ScriptedBridge();
        flaky.onSend = m -> {
            throw new RuntimeException("connector bug");
        };
        ScriptedBridge steady = new ScriptedBridge();
        steady.onSend = m -> CompletableFuture.completedFuture(null);
        SupervisionPolicy quick = SupervisionPolicy.builder().backoff(Duration.ofMillis(100), Duration.ofSeconds(1)).build();
        BridgeHandle f = run(BridgeConfig.builder("flaky").supervision(quick).build(), flaky, InboundStorage.NONE);
        BridgeHandle s = run(BridgeConfig.builder("steady").build(), steady, InboundStorage.NONE);
        BridgeContext first = flaky.context;

        assertThatThrownBy(() -> get(f.send(Message.builder("/", "boom").build())))
                .hasCauseInstanceOf(RuntimeException.class);
        get(s.send(Message.builder("/", "fine").build()));

        await().atMost(WAIT).until(() -> flaky.starts.get() == 2 && state(f.componentName()) == ComponentStatus.State.UP);
        assertThat(flaky.stops.get()).isGreaterThanOrEqualTo(1);
        assertThat(flaky.context.incarnation()).isEqualTo(2);
        assertThat(first.inbound().publish(Message.builder("/", "stale").build()).toCompletableFuture())
                .failsWithin(WAIT).withThrowableThat().withCauseInstanceOf(BridgeStoppedException.class);
        assertThat(node.health().components().stream().filter(c -> c.name().equals("bridge-flaky")).findFirst()
                .orElseThrow().failures()).isEqualTo(1);
        assertThat(steady.starts.get()).isEqualTo(1);

        flaky.onSend = m -> CompletableFuture.completedFuture(null);
        get(f.send(Message.builder("/", "after").build()));
        get(s.send(Message.builder("/", "still").build()));
    }
}
