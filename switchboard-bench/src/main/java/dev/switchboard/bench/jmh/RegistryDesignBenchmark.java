package dev.switchboard.bench.jmh;

import dev.switchboard.core.routing.EncodedMessage;
import dev.switchboard.core.message.Message;
import dev.switchboard.core.routing.MessageRenderer;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.routing.RouterConfig;
import dev.switchboard.core.routing.Routers;
import dev.switchboard.core.routing.Subscriber;
import dev.switchboard.core.routing.WireFormat;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The measurement behind the registry's design: who owns the subscription state.
 *
 * <ul>
 *   <li>{@code monitor} (what core ships): per-space monitor for writers, lock-free reads of
 *       concurrent sets; publish resolves on the caller's thread.</li>
 *   <li>{@code actor}: one Pekko actor owns the space's maps (plain HashMaps); joins and leaves are
 *       messages, and a publication is a message the actor resolves and fans out. This is the
 *       "actor sharded by space" alternative, reduced to one shard (one space) here.</li>
 * </ul>
 *
 * {@code joinLeave}: 1,000 join+leave pairs then a barrier (for the actor, an ask, so the work is
 * done, not merely queued). {@code publish}: one publication to a room of {@code roomSize}
 * subscribers on four inline executors, waited for (for the actor, an ask answered after the
 * fan-out), so both include resolution and delivery.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-Dio.netty.leakDetection.level=disabled"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class RegistryDesignBenchmark {

    static final WireFormat FORMAT = () -> "socketio-ws";

    /** 100 zero bytes, whatever the message. */
    static final MessageRenderer RENDERER = (message, format, alloc) -> {
        ByteBuf frame = alloc.directBuffer(100);
        frame.writeZero(100);
        return EncodedMessage.of(format, frame);
    };
    static final int PAIRS = 1_000;

    @Param({"monitor", "actor"})
    public String design;

    @Param({"10000"})
    public int roomSize;

    private final EventExecutor[] executors = {
        new InlineExecutor(), new InlineExecutor(), new InlineExecutor(), new InlineExecutor()
    };
    private Router router;
    private ActorSystem<SpaceActor.Command> system;
    private Message publication;
    private Sub[] churn;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        publication = Message.builder("/", "event").rooms(Set.of("room")).build();
        churn = new Sub[PAIRS];
        for (int i = 0; i < PAIRS; i++) {
            churn[i] = new Sub("c" + i, executors[i % executors.length]);
        }
        if (design.equals("monitor")) {
            router = Routers.local(RouterConfig.builder().allocator(PooledByteBufAllocator.DEFAULT).build());
            router.register(FORMAT, RENDERER);
            for (int i = 0; i < roomSize; i++) {
                router.subscribe("/", "room", new Sub("r" + i, executors[i % executors.length]));
            }
        } else {
            system = ActorSystem.create(SpaceActor.create(), "registry-bench");
            for (int i = 0; i < roomSize; i++) {
                system.tell(new SpaceActor.Join("room", new Sub("r" + i, executors[i % executors.length])));
            }
            sync();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (system != null) {
            system.terminate();
        }
    }

    @Benchmark
    @OperationsPerInvocation(PAIRS)
    public void joinLeave() throws Exception {
        if (router != null) {
            for (Sub s : churn) {
                router.subscribe("/", "room", s);
                router.unsubscribe("/", "room", s);
            }
        } else {
            for (Sub s : churn) {
                system.tell(new SpaceActor.Join("room", s));
                system.tell(new SpaceActor.Leave("room", s));
            }
            sync();
        }
    }

    @Benchmark
    public Object publish() throws Exception {
        if (router != null) {
            return router.publish(publication);
        }
        CompletionStage<Done> done = AskPattern.ask(system,
                (ActorRef<Done> replyTo) -> new SpaceActor.Publish(publication, replyTo),
                Duration.ofSeconds(30), system.scheduler());
        return done.toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private void sync() throws Exception {
        AskPattern.ask(system, (ActorRef<Done> replyTo) -> new SpaceActor.Sync(replyTo), Duration.ofSeconds(30),
                system.scheduler()).toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /** The alternative: one actor owns one space's rooms in plain collections. Benchmark-only. */
    static final class SpaceActor {
        interface Command {}

        record Join(String room, Subscriber subscriber) implements Command {}

        record Leave(String room, Subscriber subscriber) implements Command {}

        record Publish(Message publication, ActorRef<Done> replyTo) implements Command {}

        record Sync(ActorRef<Done> replyTo) implements Command {}

        static Behavior<Command> create() {
            Map<String, Set<Subscriber>> rooms = new HashMap<>();
            return Behaviors.receive(Command.class)
                    .onMessage(Join.class, j -> {
                        rooms.computeIfAbsent(j.room(), r -> new LinkedHashSet<>()).add(j.subscriber());
                        return Behaviors.same();
                    })
                    .onMessage(Leave.class, l -> {
                        Set<Subscriber> members = rooms.get(l.room());
                        if (members != null && members.remove(l.subscriber()) && members.isEmpty()) {
                            rooms.remove(l.room());
                        }
                        return Behaviors.same();
                    })
                    .onMessage(Publish.class, p -> {
                        fanOut(rooms.get(p.publication().rooms().iterator().next()), p.publication());
                        p.replyTo().tell(Done.getInstance());
                        return Behaviors.same();
                    })
                    .onMessage(Sync.class, s -> {
                        s.replyTo().tell(Done.getInstance());
                        return Behaviors.same();
                    })
                    .build();
        }

        /** Same work as the shipped fan-out: group by loop, encode once, one task per loop. */
        private static void fanOut(Set<Subscriber> members, Message p) {
            if (members == null) {
                return;
            }
            List<EventExecutor> loops = new ArrayList<>(4);
            List<List<Subscriber>> batches = new ArrayList<>(4);
            for (Subscriber s : members) {
                int i = loops.indexOf(s.executor());
                if (i < 0) {
                    loops.add(s.executor());
                    batches.add(new ArrayList<>(members.size() / 2));
                    i = loops.size() - 1;
                }
                batches.get(i).add(s);
            }
            EncodedMessage m = RENDERER.render(p, FORMAT, PooledByteBufAllocator.DEFAULT);
            for (int i = 0; i < loops.size(); i++) {
                List<Subscriber> batch = batches.get(i);
                m.retain();
                loops.get(i).execute(() -> {
                    try {
                        for (Subscriber s : batch) {
                            if (s.deliver(m, p.isVolatile()) == Subscriber.Delivery.WRITTEN) {
                                s.flush();
                            }
                        }
                    } finally {
                        m.release();
                    }
                });
            }
            m.release();
        }
    }

    /**
     * Counts deliveries only: this benchmark compares who owns the registry, so the per-write cost of
     * Netty's duplicates (measured by {@link FanOutBenchmark}) is left out of both designs.
     */
    static final class Sub implements Subscriber {
        final String id;
        final EventExecutor loop;
        long delivered;

        Sub(String id, EventExecutor loop) {
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
            delivered++;
            return Delivery.WRITTEN;
        }

        @Override
        public void flush() {}
    }
}
