package dev.switchboard.bench.harness;

import dev.switchboard.bench.load.ConnectReport;
import dev.switchboard.bench.load.LoadGenerator;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Scenario 1, idle connections: N connections, each joined to one of 100 rooms, then left alone.
 * Figures: resident memory of the server per connection (VmRSS delta / N, process tree), heap
 * after a full GC per connection (delta / N), and server CPU while idle (heartbeats only), twice:
 * cold, right after the connect burst (a JVM still compiles the connection path then), and warm,
 * over a window of the same length starting {@link Profile#idleWarmup()} after the burst. The note
 * names the threads that used the most CPU in the warm window.
 */
final class IdleScenario {

    private IdleScenario() {}

    static Result run(ServerProcess server, Profile p) {
        Result r = new Result("idle", server.spec().name());
        long rssBefore = server.rssKb();
        long heapBefore = server.heapAfterGcKb();
        Duration bound = Duration.ofSeconds((long) (p.idleConnections() / p.connectRate()) + 60)
                .plus(p.idleWarmup()).plus(p.idleWindow().multipliedBy(2));
        try (LoadGenerator gen = Load.generator(server, p.idleConnections(), bound)) {
            ConnectReport report = Load.connect(gen, p.idleConnections(), p.connectRate(), null, r);
            r.put("connect/s", report.perSecond());
            int joinFailures = Load.join(report.clients(), i -> "idle-" + (i % 100), Duration.ofSeconds(60));
            if (joinFailures > 0) {
                r.note(joinFailures + " joins not acknowledged");
            }
            int n = report.established();
            long settled = System.nanoTime();
            Load.pause(Duration.ofSeconds(2)); // let the server settle after the join burst
            double cold = cpuMsPerSecond(server, p.idleWindow(), null);
            Load.pause(Duration.ofNanos(settled + p.idleWarmup().toNanos() - System.nanoTime()));
            Map<String, Long> byThread = ProcStats.threadCpuMicros(server.workerPid());
            double warm = cpuMsPerSecond(server, p.idleWindow(), byThread);
            long heapAfter = server.heapAfterGcKb();
            server.classHistogram().ifPresent(h -> r.note("class histogram with the connections open: " + h.getFileName()));
            long rssAfter = server.rssKb();
            long alive = report.clients().stream().filter(c -> c.isActive()).count();
            r.put("still open", alive);
            r.put("RSS MB", rssAfter / 1024.0);
            if (n > 0) {
                r.put("RSS KB/conn", (rssAfter - rssBefore) / (double) n);
                if (heapBefore >= 0 && heapAfter >= 0) {
                    r.put("heap KB/conn", (heapAfter - heapBefore) / (double) n);
                }
                r.put("idle CPU ms/s", cold);
                r.put("CPU ms/s per 1k conns", cold * 1000.0 / n);
                r.put("warm idle CPU ms/s", warm);
                r.put("warm CPU ms/s per 1k conns", warm * 1000.0 / n);
            }
            r.note("server fds " + server.fds());
            if (!byThread.isEmpty()) {
                r.note("warm CPU by thread, ms/s: " + byThread.entrySet().stream()
                        .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(5)
                        .map(e -> e.getKey() + " " + Report.format(e.getValue() / 1000.0 / p.idleWindow().toMillis() * 1000.0))
                        .collect(Collectors.joining(", ")));
            }
        }
        return r;
    }

    /**
     * Server CPU ms per second over {@code window}; with {@code byThread} (the worker's per-thread CPU µs
     * at the start) it is replaced by each thread group's CPU µs used during the window.
     */
    private static double cpuMsPerSecond(ServerProcess server, Duration window, Map<String, Long> byThread) {
        long cpu0 = server.cpuMicros();
        long t0 = System.nanoTime();
        Load.pause(window);
        double seconds = (System.nanoTime() - t0) / 1e9;
        long used = server.cpuMicros() - cpu0;
        if (byThread != null) {
            Map<String, Long> now = ProcStats.threadCpuMicros(server.workerPid());
            Map<String, Long> delta = now.entrySet().stream()
                    .map(e -> Map.entry(e.getKey(), e.getValue() - byThread.getOrDefault(e.getKey(), 0L)))
                    .filter(e -> e.getValue() > 0)
                    .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
            byThread.clear();
            byThread.putAll(delta);
        }
        return used / 1000.0 / seconds;
    }
}
