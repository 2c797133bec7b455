package dev.switchboard.bench.harness;

import dev.switchboard.bench.load.ConnectReport;
import dev.switchboard.bench.load.FdLimits;
import dev.switchboard.bench.load.LoadConfig;
import dev.switchboard.bench.load.LoadGenerator;
import dev.switchboard.bench.load.SioClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import org.HdrHistogram.Histogram;

/** Helpers the scenarios share: a generator per scenario, joining rooms, draining, percentiles. */
final class Load {

    /** Descriptors the harness keeps free for itself when the load generator fills up to the limit. */
    static final int FD_RESERVE = 300;

    /**
     * Event loop threads of every load generator; set once by {@link BenchMain} ({@code --io-threads})
     * before any scenario runs. Default 1: on two cores the other one is the server's.
     */
    static volatile int ioThreads = 1;

    /**
     * A phase's deliveries are over once nothing arrived for this long: long enough for a GC pause or
     * a scheduling gap on a busy 2-core machine (2 s was not: an overloaded server paused that long
     * and its late deliveries were counted as drops).
     */
    static final Duration DRAIN_QUIET = Duration.ofSeconds(5);

    /** Bound on waiting for a phase's deliveries; what is missing then counts as dropped. */
    static final Duration DRAIN_MAX = Duration.ofSeconds(45);

    private Load() {}

    /**
     * A load generator for one scenario against {@code server}, bounded by {@code maxDuration}.
     * Source addresses: enough for {@code connections} at ~28k ports each, at least 4.
     */
    static LoadGenerator generator(ServerProcess server, int connections, Duration maxDuration) {
        int sources = Math.max(4, connections / 20_000 + 1);
        return LoadGenerator.start(LoadConfig.newBuilder()
                .port(server.port())
                .sourceAddresses(sources)
                .maxDuration(maxDuration)
                .handshakeTimeout(Duration.ofSeconds(15))
                .ioThreads(ioThreads)
                .build());
    }

    /** Connects {@code n} clients at the profile's rate; records establishment figures and limits. */
    static ConnectReport connect(LoadGenerator gen, int n, double rate, SioClient.EventListener listener, Result r) {
        ConnectReport report = gen.connectMany(fitDescriptors(n, r), rate, 500, (IntFunction<String>) null, listener);
        r.put("connections", report.established());
        if (report.failed() > 0) {
            r.put("connect failures", report.failed());
            r.note("connect failures " + report.failures());
        }
        if (report.stoppedBy() != null) {
            r.note("connects stopped by " + report.stoppedBy());
        }
        return report;
    }

    /**
     * How many of {@code n} connections this process can open while keeping {@link #FD_RESERVE}
     * descriptors free; notes the cap (and the limit behind it) in {@code r} when it applies.
     */
    static int fitDescriptors(int n, Result r) {
        long soft = FdLimits.softNofile();
        if (soft <= 0) {
            return n;
        }
        // the harness shares this JVM: keep descriptors for jcmd, /proc reads and HTTP to the server
        long room = soft - FdLimits.openDescriptors() - FD_RESERVE;
        if (room >= n) {
            return n;
        }
        int capped = (int) Math.max(0, room);
        r.note("capped at " + capped + " of " + n + " connections by the load generator's file descriptors (nofile soft/hard "
                + FdLimits.nofile("self") + ", " + FD_RESERVE + " kept for the harness)");
        return capped;
    }

    /** Each client joins the room {@code room.apply(i)} and waits for the ack; returns how many failed. */
    static int join(List<SioClient> clients, IntFunction<String> room, Duration timeout) {
        List<CompletableFuture<String>> acks = new ArrayList<>(clients.size());
        for (int i = 0; i < clients.size(); i++) {
            acks.add(clients.get(i).emitWithAck("[\"join\",\"" + room.apply(i) + "\"]"));
            if (i % 500 == 499) {
                try {
                    acks.get(i).get(5, TimeUnit.SECONDS); // pace: keep joins from piling up
                } catch (Exception counted) {
                    // counted with the others below
                }
            }
        }
        int failed = 0;
        long deadline = System.nanoTime() + timeout.toNanos();
        for (CompletableFuture<String> a : acks) {
            try {
                a.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                failed++;
            }
        }
        return failed;
    }

    /**
     * Waits until {@code counter} reaches {@code expected}, giving up once it has not moved for
     * {@code quiet} or {@code max} has passed. Returns the final count.
     */
    static long drain(LongAdder counter, long expected, Duration quiet, Duration max) {
        long end = System.nanoTime() + max.toNanos();
        long last = counter.sum();
        long lastMove = System.nanoTime();
        while (last < expected && System.nanoTime() < end && System.nanoTime() - lastMove < quiet.toNanos()) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            long now = counter.sum();
            if (now != last) {
                last = now;
                lastMove = System.nanoTime();
            }
        }
        return counter.sum();
    }

    /** p50, p99, p99.9 (and max) of a microsecond histogram, as milliseconds. */
    static void percentiles(Histogram h, Result r) {
        if (h.getTotalCount() == 0) {
            r.note("no latency samples");
            return;
        }
        r.put("p50 ms", h.getValueAtPercentile(50) / 1000.0);
        r.put("p99 ms", h.getValueAtPercentile(99) / 1000.0);
        r.put("p99.9 ms", h.getValueAtPercentile(99.9) / 1000.0);
        r.put("max ms", h.getMaxValue() / 1000.0);
    }

    /** Sleeps without being a test: the harness waits for wall-clock windows by design. */
    static void pause(Duration d) {
        long end = System.nanoTime() + d.toNanos();
        for (long left; (left = end - System.nanoTime()) > 0; ) {
            LockSupport.parkNanos(left);
        }
    }
}
