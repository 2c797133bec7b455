package dev.switchboard.bench.jmh;

import dev.switchboard.core.routing.EncodedMessage;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.routing.Routers;
import dev.switchboard.core.routing.Subscriber;
import dev.switchboard.core.routing.WireFormat;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Join/leave throughput of the subscription registry, in a room that already holds
 * {@code roomSize} subscribers (so the cost of a big room shows). Run with {@code -t 1} and {@code -t 2}
 * to see contention: writers of one space share its monitor.
 *
 * <ul>
 *   <li>{@code joinLeave}: one subscriber joins the room then leaves it (2 registry writes per op);</li>
 *   <li>{@code connectionLifetime}: attach, join two rooms, detach (what a connection does; 4 writes);</li>
 *   <li>{@code joinLeaveOwnSpace}: join/leave in a space of the thread's own (no shared monitor).</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class SubscriptionBenchmark {

    static final WireFormat FORMAT = () -> "socketio-ws";

    @Param({"100", "10000"})
    public int roomSize;

    Router router;
    final EventExecutor[] executors = {new InlineExecutor(), new InlineExecutor()};

    @Setup(Level.Trial)
    public void setUp() {
        router = Routers.local();
        for (int i = 0; i < roomSize; i++) {
            router.subscribe("/", "room", new Sub("resident-" + i, executors[i % 2]));
        }
    }

    @State(Scope.Thread)
    public static class Churner {
        static final AtomicInteger THREADS = new AtomicInteger();
        Sub[] pool;
        int next;
        String ownSpace;

        @Setup(Level.Trial)
        public void setUp(SubscriptionBenchmark b) {
            int t = THREADS.incrementAndGet();
            ownSpace = "/own-" + t;
            pool = new Sub[1024];
            for (int i = 0; i < pool.length; i++) {
                pool[i] = new Sub("t" + t + "-" + i, b.executors[i % 2]);
            }
        }

        Sub next() {
            Sub s = pool[next];
            next = (next + 1) & (pool.length - 1);
            return s;
        }
    }

    @Benchmark
    public void joinLeave(Churner c) {
        Sub s = c.next();
        router.subscribe("/", "room", s);
        router.unsubscribe("/", "room", s);
    }

    @Benchmark
    public void connectionLifetime(Churner c) {
        Sub s = c.next();
        router.attach("/", s);
        router.subscribe("/", "room", s);
        router.subscribe("/", s.id, s); // a personal room, as Socket.IO joins each socket to its id
        router.detach("/", s);
    }

    @Benchmark
    public void joinLeaveOwnSpace(Churner c) {
        Sub s = c.next();
        router.subscribe(c.ownSpace, "room", s);
        router.unsubscribe(c.ownSpace, "room", s);
    }

    record Sub(String id, EventExecutor executor) implements Subscriber {
        @Override
        public WireFormat wireFormat() {
            return FORMAT;
        }

        @Override
        public Delivery deliver(EncodedMessage message, boolean isVolatile) {
            return Delivery.WRITTEN;
        }

        @Override
        public void flush() {}

        // Identity, not value, semantics: a registry keys subscribers like connections.
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
