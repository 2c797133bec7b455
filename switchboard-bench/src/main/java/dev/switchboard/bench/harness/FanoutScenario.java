package dev.switchboard.bench.harness;

import dev.switchboard.bench.load.ConnectReport;
import dev.switchboard.bench.load.LoadGenerator;
import dev.switchboard.bench.load.Payloads;
import dev.switchboard.bench.load.SioClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Scenario 2, room fan-out: N subscribers in one room; subscriber 0 also publishes
 * {@code broadcast("fan", payload)}, which the server sends to all N (sender included).
 *
 * <p>Phase "fixed": a fixed broadcast rate for the window (after a one-second warm-up). Phase "max":
 * unthrottled, as fast as the server turns broadcasts around: at most {@code fanoutInFlight}
 * broadcasts the publisher has not yet received back. Figures per phase: delivered messages per
 * second, latency p50/p99/p99.9 (send timestamp in the payload, same JVM), drops (expected
 * deliveries that had not arrived when deliveries stopped for {@link Load#DRAIN_QUIET}).
 */
final class FanoutScenario {

    private FanoutScenario() {}

    static List<Result> run(ServerProcess server, Profile p) {
        Result fixed = new Result("fanout-fixed", server.spec().name());
        Result max = new Result("fanout-max", server.spec().name());
        int n = p.fanoutSubscribers();
        LongAdder delivered = new LongAdder();
        Semaphore window = new Semaphore(p.fanoutInFlight());
        dev.switchboard.bench.load.LatencyRecorder latency = new dev.switchboard.bench.load.LatencyRecorder();
        SioClient[] publisher = new SioClient[1];
        LastArrival last = new LastArrival();
        SioClient.EventListener listener = (c, event, data) -> {
            if ("broadcast".equals(event)) {
                delivered.increment();
                last.mark();
                latency.recordSince(Payloads.timestampOf(data));
                if (c == publisher[0]) {
                    window.release();
                }
            }
        };
        Duration bound = Duration.ofSeconds((long) (n / p.connectRate()) + 90).plus(p.fanoutWindow().multipliedBy(2));
        try (LoadGenerator gen = Load.generator(server, n, bound)) {
            ConnectReport report = Load.connect(gen, n, p.connectRate(), listener, fixed);
            max.put("connections", report.established());
            List<SioClient> clients = report.clients();
            if (clients.isEmpty()) {
                fixed.note("no subscriber connected");
                return List.of(fixed, max);
            }
            int joinFailures = Load.join(clients, i -> "fan", Duration.ofSeconds(60));
            int subscribers = clients.size() - joinFailures;
            fixed.put("subscribers", subscribers);
            max.put("subscribers", subscribers);
            publisher[0] = clients.get(0);
            long seq = 0;

            // warm-up at the fixed rate, not measured
            latency.enabled(false);
            seq = publishAtRate(publisher[0], "fan", p.fanoutRate(), Duration.ofSeconds(1), seq, p.payloadBytes());
            Load.drain(delivered, seq * subscribers, Load.DRAIN_QUIET, Duration.ofSeconds(10));
            latency.takeInterval();
            latency.enabled(true);

            // fixed rate
            long d0 = delivered.sum();
            long s0 = seq;
            GeneratorCpu cpu = GeneratorCpu.start();
            ServerCpu serverCpu = ServerCpu.start(server);
            long t0 = System.nanoTime();
            seq = publishAtRate(publisher[0], "fan", p.fanoutRate(), p.fanoutWindow(), seq, p.payloadBytes());
            double sendSeconds = (System.nanoTime() - t0) / 1e9;
            long expected = (seq - s0) * subscribers;
            long got = Load.drain(delivered, d0 + expected, Load.DRAIN_QUIET, Load.DRAIN_MAX) - d0;
            serverCpu.stop(); // drain returns as the last expected delivery arrives (later only with drops)
            fixed.put("offered msg/s", (seq - s0) / sendSeconds * subscribers);
            // from the first send to the last arrival: a server that falls behind spreads the same
            // deliveries over a longer time, and its rate drops below the offered one
            fixed.put("delivered msg/s", got / Math.max(sendSeconds, last.secondsSince(t0)));
            Load.percentiles(latency.takeInterval(), fixed);
            fixed.put("drops", Math.max(0, expected - got));
            long closedFixed = clients.stream().filter(c -> !c.isActive()).count();
            if (closedFixed > 0) {
                fixed.note(closedFixed + " subscribers disconnected during the run");
            }
            fixed.put("generator CPU %", cpu.percent());
            serverCpu.record(fixed, got, null);

            // unthrottled, closed loop on the publisher's own copy
            window.drainPermits();
            window.release(p.fanoutInFlight());
            long d1 = delivered.sum();
            long s1 = seq;
            GeneratorCpu cpuMax = GeneratorCpu.start();
            ServerCpu serverCpuMax = ServerCpu.start(server);
            long t1 = System.nanoTime();
            long end = t1 + p.fanoutWindow().toNanos();
            while (System.nanoTime() < end && publisher[0].isActive() && !gen.expired()) {
                try {
                    if (!window.tryAcquire(1, TimeUnit.SECONDS)) {
                        continue;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                publisher[0].emit("[\"broadcast\",\"fan\"," + Payloads.timestamped(System.nanoTime(), seq++, p.payloadBytes()) + "]");
            }
            double maxSeconds = (System.nanoTime() - t1) / 1e9;
            double maxCpu = cpuMax.percent();
            serverCpuMax.stop();
            long inWindow = delivered.sum() - d1;
            long expectedMax = (seq - s1) * subscribers;
            long gotMax = Load.drain(delivered, d1 + expectedMax, Load.DRAIN_QUIET, Load.DRAIN_MAX) - d1;
            max.put("published msg/s", (seq - s1) / maxSeconds);
            max.put("delivered msg/s", inWindow / maxSeconds);
            Load.percentiles(latency.takeInterval(), max);
            max.put("drops", Math.max(0, expectedMax - gotMax));
            max.put("generator CPU %", maxCpu);
            serverCpuMax.record(max, inWindow, null);
            long closed = clients.stream().filter(c -> !c.isActive()).count();
            if (closed > 0) {
                max.note(closed + " subscribers disconnected during the run");
            }
        }
        return List.of(fixed, max);
    }

    /** Publishes {@code broadcast} at {@code rate} per second for {@code d}; returns the next sequence number. */
    static long publishAtRate(SioClient pub, String room, double rate, Duration d, long seq, int payloadBytes) {
        long interval = (long) (1e9 / rate);
        long start = System.nanoTime();
        long end = start + d.toNanos();
        for (long i = 0; ; i++) {
            long due = start + i * interval;
            if (due >= end || !pub.isActive()) {
                return seq;
            }
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            pub.emit("[\"broadcast\",\"" + room + "\"," + Payloads.timestamped(System.nanoTime(), seq++, payloadBytes) + "]");
        }
    }
}
