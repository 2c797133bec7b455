package dev.switchboard.bench.harness;

import dev.switchboard.bench.load.ConnectFailure;
import dev.switchboard.bench.load.ConnectReport;
import dev.switchboard.bench.load.LoadGenerator;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/**
 * Scenario 5, connect storm, unpaced with a bounded number of handshakes in flight:
 * "polling": full Socket.IO connects over HTTP long-polling (handshake GET, CONNECT POST, GET of the
 * reply), each closed right after; "websocket": direct WebSocket connects to namespace {@code /},
 * kept open until the storm ends. Figures: connections per second, handshake latency, failures.
 */
final class ConnectStormScenario {

    private ConnectStormScenario() {}

    static List<Result> run(ServerProcess server, Profile p) {
        return List.of(polling(server, p), websocket(server, p));
    }

    private static Result polling(ServerProcess server, Profile p) {
        Result r = new Result("storm-polling", server.spec().name());
        Histogram h = new Histogram(60_000_000L, 3);
        LongAdder ok = new LongAdder();
        Map<ConnectFailure, LongAdder> failed = new EnumMap<>(ConnectFailure.class);
        for (ConnectFailure f : ConnectFailure.values()) {
            failed.put(f, new LongAdder());
        }
        AtomicReference<String> stop = new AtomicReference<>();
        try (LoadGenerator gen = Load.generator(server, p.stormAttempts(), p.stormWindow().plusSeconds(60))) {
            Semaphore inFlight = new Semaphore(p.stormInFlight());
            ServerCpu serverCpu = ServerCpu.start(server);
            long start = System.nanoTime();
            long end = start + p.stormWindow().toNanos();
            int attempts = 0;
            while (attempts < p.stormAttempts() && System.nanoTime() < end && stop.get() == null) {
                try {
                    if (!inFlight.tryAcquire(1, TimeUnit.SECONDS)) {
                        continue;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                attempts++;
                gen.pollingHandshake().whenComplete((nanos, t) -> {
                    if (t == null) {
                        ok.increment();
                        synchronized (h) {
                            h.recordValue(Math.min(nanos / 1_000, h.getHighestTrackableValue()));
                        }
                    } else {
                        ConnectFailure f = ConnectFailure.of(t);
                        failed.get(f).increment();
                        if (f.localLimit()) {
                            stop.compareAndSet(null, gen.describeLimit(f));
                        }
                    }
                    inFlight.release(); // after recording, so the final acquire-all sees every outcome
                });
            }
            inFlight.acquireUninterruptibly(p.stormInFlight());
            serverCpu.stop();
            double seconds = (System.nanoTime() - start) / 1e9;
            r.put("attempts", attempts);
            r.put("conn/s", ok.sum() / seconds);
            serverCpu.record(r, ok.sum(), "conn");
            synchronized (h) {
                Load.percentiles(h, r);
            }
            long failures = failed.values().stream().mapToLong(LongAdder::sum).sum();
            r.put("failures", failures);
            if (failures > 0) {
                StringBuilder sb = new StringBuilder("failures:");
                failed.forEach((k, v) -> {
                    if (v.sum() > 0) {
                        sb.append(' ').append(k).append('=').append(v.sum());
                    }
                });
                r.note(sb.toString());
            }
            if (stop.get() != null) {
                r.note("stopped by " + stop.get());
            }
            if (gen.pollingReconnects() > 0) {
                r.note(gen.pollingReconnects() + " requests resent on a new connection (server closed a kept-alive one)");
            }
        }
        return r;
    }

    private static Result websocket(ServerProcess server, Profile p) {
        Result r = new Result("storm-websocket", server.spec().name());
        try (LoadGenerator gen = Load.generator(server, p.stormAttempts(), p.stormWindow().plusSeconds(60))) {
            int attempts = Load.fitDescriptors(p.stormAttempts(), r); // these stay open until the storm ends
            ServerCpu serverCpu = ServerCpu.start(server);
            ConnectReport report = gen.connectMany(attempts, 0, p.stormInFlight(), null, null);
            serverCpu.record(r, report.established(), "conn");
            r.put("attempts", attempts);
            r.put("conn/s", report.perSecond());
            r.put("failures", report.failed());
            if (report.failed() > 0) {
                r.note("failures " + report.failures());
            }
            if (report.stoppedBy() != null) {
                r.note("stopped by " + report.stoppedBy());
            }
        }
        return r;
    }
}
