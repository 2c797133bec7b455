package dev.switchboard.bench.jmh;

import dev.switchboard.core.routing.EncodedMessage;
import dev.switchboard.core.message.Message;
import dev.switchboard.core.routing.MessageRenderer;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.routing.RouterConfig;
import dev.switchboard.core.routing.Routers;
import dev.switchboard.core.routing.Subscriber;
import dev.switchboard.core.routing.WireFormat;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.concurrent.EventExecutor;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Pattern subscriptions in the routing fabric: what they cost a publication. One operation is one
 * publication, resolved and fanned out on two {@link InlineExecutor}s (so every byte allocated is
 * counted by {@code -prof gc} on the benchmark thread); subscribers take the frame and do nothing.
 *
 * <ul>
 *   <li>{@code exactRoom}: a publication to room {@code chat/lobby} of 100 exact subscribers.
 *       {@code patterns=none}: the space has no pattern subscription (the path the registry had
 *       before patterns existed: one null check more). {@code unrelated}: 1,000 filters in the space,
 *       none matching (the room's name is walked through the trie: a miss at {@code chat/+}).
 *       {@code matching}: plus one {@code chat/#} subscriber, so two sources are merged and
 *       deduplicated. {@code union} (the control for {@code matching}, no pattern at all): the same
 *       101 recipients reached by a publication to two rooms, {@code chat/lobby} and {@code chat/log},
 *       the registry's union path, which merges and deduplicates the same way.</li>
 *   <li>{@code patternOnly}: a publication to {@code sensors/k7/temp}, a name no exact subscriber
 *       holds, reaching the 20 subscribers of {@code sensors/+/temp} and {@code sensors/#} (10 in
 *       both: deduplicated), in a space with {@code rooms} unrelated rooms of one exact subscriber
 *       each. The cost should not depend on {@code rooms}: the trie indexes filters, not rooms.</li>
 * </ul>
 *
 * <p>Besides time per operation, each iteration reports {@code cpuNanosPerOp}: the benchmark thread's
 * CPU time divided by its operations. On a shared, loaded machine the thread waits for a core for a
 * varying share of the wall-clock time, so this figure compares runs better than ns/op does (cache
 * interference from other processes still inflates it).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class PatternBenchmark {

    static final WireFormat FORMAT = () -> "socketio-ws";
    static final String SPACE = "/";
    static final byte[] PAYLOAD = new byte[100];

    static final MessageRenderer RENDERER = (message, format, alloc) ->
            EncodedMessage.of(format, alloc.directBuffer(PAYLOAD.length).writeBytes(PAYLOAD));

    @State(Scope.Benchmark)
    public static class ExactRoom {
        static final String ROOM = "chat/lobby";
        static final int MEMBERS = 100;

        @Param({"none", "unrelated", "matching", "union"})
        public String patterns;

        Router router;
        Message publication;
        int expected;

        @Setup(Level.Trial)
        public void setUp() {
            router = Routers.local(RouterConfig.builder().allocator(PooledByteBufAllocator.DEFAULT).build());
            router.register(FORMAT, RENDERER);
            EventExecutor[] loops = {new InlineExecutor(), new InlineExecutor()};
            for (int i = 0; i < MEMBERS; i++) {
                router.subscribe(SPACE, ROOM, new Sub("m" + i, loops[i % 2]));
            }
            expected = MEMBERS;
            if (patterns.equals("unrelated") || patterns.equals("matching")) {
                for (int i = 0; i < 999; i++) {
                    router.subscribePattern(SPACE, "s" + i + "/+/temp", new Sub("p" + i, loops[i % 2]));
                }
                router.subscribePattern(SPACE, "chat/+/typing", new Sub("typing", loops[0]));
            }
            if (patterns.equals("matching")) {
                router.subscribePattern(SPACE, "chat/#", new Sub("logger", loops[1]));
                expected++;
            }
            Set<String> to = Set.of(ROOM);
            if (patterns.equals("union")) {
                router.subscribe(SPACE, "chat/log", new Sub("logger", loops[1]));
                to = Set.of(ROOM, "chat/log");
                expected++;
            }
            publication = Message.builder(SPACE, "event").rooms(to).build();
            check(router, publication, expected);
        }
    }

    @State(Scope.Benchmark)
    public static class PatternOnly {
        @Param({"10", "10000", "100000"})
        public int rooms;

        Router router;
        Message publication;

        @Setup(Level.Trial)
        public void setUp() {
            router = Routers.local(RouterConfig.builder().allocator(PooledByteBufAllocator.DEFAULT).build());
            router.register(FORMAT, RENDERER);
            EventExecutor[] loops = {new InlineExecutor(), new InlineExecutor()};
            for (int i = 0; i < rooms; i++) {
                // Unrelated rooms, some sharing the topic's first levels.
                router.subscribe(SPACE, "sensors/k" + i + "/humidity", new Sub("r" + i, loops[i % 2]));
            }
            for (int i = 0; i < 15; i++) {
                Sub s = new Sub("p" + i, loops[i % 2]);
                if (i < 10) {
                    router.subscribePattern(SPACE, "sensors/+/temp", s);
                }
                if (i >= 5) {
                    router.subscribePattern(SPACE, "sensors/#", s);
                }
            }
            // "sensors/#" also matches every unrelated room: that is a publication to them, not this one.
            publication = Message.builder(SPACE, "event").rooms(Set.of("sensors/k7/temp")).build();
            check(router, publication, 15);
        }
    }

    /** CPU time of the benchmark thread per operation, over one iteration. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class CpuTime {
        private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
        private long startNanos;
        private long ops;
        public double cpuNanosPerOp;

        @Setup(Level.Iteration)
        public void start() {
            ops = 0;
            startNanos = THREADS.getCurrentThreadCpuTime();
        }

        @TearDown(Level.Iteration)
        public void stop() {
            cpuNanosPerOp = ops == 0 ? 0 : (double) (THREADS.getCurrentThreadCpuTime() - startNanos) / ops;
        }
    }

    static void check(Router router, Message p, int expected) {
        int n = router.publish(p).toCompletableFuture().join();
        if (n != expected) {
            throw new IllegalStateException("publication reached " + n + " subscribers, expected " + expected);
        }
    }

    @Benchmark
    public Integer exactRoom(ExactRoom s, CpuTime cpu) {
        cpu.ops++;
        return s.router.publish(s.publication).toCompletableFuture().getNow(-1);
    }

    @Benchmark
    public Integer patternOnly(PatternOnly s, CpuTime cpu) {
        cpu.ops++;
        return s.router.publish(s.publication).toCompletableFuture().getNow(-1);
    }

    record Sub(String id, EventExecutor executor) implements Subscriber {
        @Override
        public WireFormat wireFormat() {
            return FORMAT;
        }

        @Override
        public Delivery deliver(EncodedMessage message, boolean isVolatile) {
            return message.frame(0).isReadable() ? Delivery.WRITTEN : Delivery.REJECTED;
        }

        @Override
        public void flush() {}

        @Override
        public boolean equals(Object o) {
            return this == o;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(this);
        }
    }
}
