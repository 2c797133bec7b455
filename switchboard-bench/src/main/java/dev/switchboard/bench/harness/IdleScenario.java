package dev.switchboard.bench.harness;

import dev.switchboard.bench.load.ConnectReport;
import dev.switchboard.bench.load.LoadGenerator;
import java.time.Duration;

/**
 * Scenario 1, idle connections: N connections, each joined to one of 100 rooms, then left alone.
 * Figures: resident memory of the server per connection (VmRSS delta / N, process tree), heap
 * after a full GC per connection (delta / N), and server CPU while idle (heartbeats only).
 */
final class IdleScenario {

    private IdleScenario() {}

    static Result run(ServerProcess server, Profile p) {
        Result r = new Result("idle", server.spec().name());
        long rssBefore = server.rssKb();
        long heapBefore = server.heapAfterGcKb();
        Duration bound = Duration.ofSeconds((long) (p.idleConnections() / p.connectRate()) + 60).plus(p.idleWindow());
        try (LoadGenerator gen = Load.generator(server, p.idleConnections(), bound)) {
            ConnectReport report = Load.connect(gen, p.idleConnections(), p.connectRate(), null, r);
            r.put("connect/s", report.perSecond());
            int joinFailures = Load.join(report.clients(), i -> "idle-" + (i % 100), Duration.ofSeconds(60));
            if (joinFailures > 0) {
                r.note(joinFailures + " joins not acknowledged");
            }
            int n = report.established();
            Load.pause(Duration.ofSeconds(2)); // let the server settle after the join burst
            long cpu0 = server.cpuMillis();
            long t0 = System.nanoTime();
            Load.pause(p.idleWindow());
            double seconds = (System.nanoTime() - t0) / 1e9;
            double cpuMsPerS = (server.cpuMillis() - cpu0) / seconds;
            long heapAfter = server.heapAfterGcKb();
            long rssAfter = server.rssKb();
            long alive = report.clients().stream().filter(c -> c.isActive()).count();
            r.put("still open", alive);
            r.put("RSS MB", rssAfter / 1024.0);
            if (n > 0) {
                r.put("RSS KB/conn", (rssAfter - rssBefore) / (double) n);
                if (heapBefore >= 0 && heapAfter >= 0) {
                    r.put("heap KB/conn", (heapAfter - heapBefore) / (double) n);
                }
                r.put("idle CPU ms/s", cpuMsPerS);
                r.put("CPU ms/s per 1k conns", cpuMsPerS * 1000.0 / n);
            }
            r.note("server fds " + server.fds());
        }
        return r;
    }
}
