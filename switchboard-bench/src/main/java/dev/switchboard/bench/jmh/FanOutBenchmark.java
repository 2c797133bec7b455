package dev.switchboard.bench.jmh;

import dev.switchboard.core.message.Message;
import dev.switchboard.core.routing.EncodedMessage;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.routing.RouterConfig;
import dev.switchboard.core.routing.Routers;
import dev.switchboard.core.routing.Subscriber;
import dev.switchboard.core.routing.WireFormat;
import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.TimeUnit;
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
 * Fan-out of one 100-byte event to every subscriber of a room: one operation is one publication
 * (one {@code Message}, rendered once by the format's registered renderer),
 * so delivered messages per second = ops/s x {@code subscribers}, and bytes allocated per delivered
 * message = {@code gc.alloc.rate.norm} / {@code subscribers} (run with {@code -prof gc}, which counts
 * the allocations of every thread, event loops included).
 *
 * <p>Subscribers are spread over two real {@link DefaultEventLoopGroup} threads (the machine has two
 * cores); each operation publishes, then waits until both loops have run their part, so it includes
 * the hand-off between threads (the wait itself costs a constant few hundred bytes per operation).
 * Each subscriber does what a channel write costs the fabric: {@code deliver} takes a retained
 * duplicate of the shared frame and keeps it (so it escapes, as into a channel's outbound buffer, and
 * the JIT cannot elide it); {@code flush} releases it, as a completed write would.
 *
 * <p>{@code allocator}: the encoder's allocator. {@code pooled} (the router's default): duplicates
 * are recycled on event-loop threads; {@code adaptive} (Netty 4.2's {@code ByteBufAllocator.DEFAULT}):
 * each duplicate is a new object. The difference is why the router defaults to pooled.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class FanOutBenchmark {

    static final WireFormat FORMAT = () -> "socketio-ws";
    static final String SPACE = "/";
    static final String ROOM = "room";

    @Param({"1000", "10000", "100000"})
    public int subscribers;

    @Param({"pooled", "adaptive"})
    public String allocator;

    private Router router;
    private DefaultEventLoopGroup group;
    private EventExecutor[] executors;
    private Message publication;
    private CountingSubscriber[] subs;

    @Setup(Level.Trial)
    public void setUp() {
        router = Routers.local(RouterConfig.builder()
                .allocator(allocator.equals("pooled") ? PooledByteBufAllocator.DEFAULT : new AdaptiveByteBufAllocator())
                .build());
        group = new DefaultEventLoopGroup(2);
        executors = new EventExecutor[] {group.next(), group.next()};
        subs = new CountingSubscriber[subscribers];
        for (int i = 0; i < subscribers; i++) {
            subs[i] = new CountingSubscriber("s" + i, executors[i % executors.length]);
            router.subscribe(SPACE, ROOM, subs[i]);
        }
        byte[] payload = new byte[100];
        Arrays.fill(payload, (byte) 'x');
        router.register(FORMAT, (message, format, alloc) -> {
            ByteBuf frame = alloc.directBuffer(payload.length);
            frame.writeBytes(payload);
            return EncodedMessage.of(format, frame);
        });
        publication = Message.builder(SPACE, "event").rooms(Set.of(ROOM)).build();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        long expected = -1;
        for (CountingSubscriber s : subs) {
            // Every subscriber got every publication: a benchmark that drops work would look fast.
            if (expected < 0) {
                expected = s.delivered;
            } else if (s.delivered != expected) {
                throw new IllegalStateException("uneven delivery: " + s.id + " got " + s.delivered + ", expected " + expected);
            }
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
    }

    @Benchmark
    public int publish() throws Exception {
        router.publish(publication);
        for (EventExecutor e : executors) {
            e.submit(() -> { }).get();
        }
        return subscribers;
    }

    static final class CountingSubscriber implements Subscriber {
        final String id;
        final EventExecutor loop;
        /** Written only on {@link #loop}; read at tear-down after the loops are idle. */
        long delivered;

        CountingSubscriber(String id, EventExecutor loop) {
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

        /** The written, not yet flushed, frame; loop-confined. */
        ByteBuf pending;

        @Override
        public Delivery deliver(EncodedMessage message, boolean isVolatile) {
            pending = message.frame(0).retainedDuplicate();
            delivered++;
            return Delivery.WRITTEN;
        }

        @Override
        public void flush() {
            pending.release();
            pending = null;
        }
    }
}
