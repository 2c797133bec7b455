package dev.switchboard.bench.harness;

import dev.switchboard.bench.load.ConnectReport;
import dev.switchboard.bench.load.LatencyRecorder;
import dev.switchboard.bench.load.LoadGenerator;
import dev.switchboard.bench.load.Payloads;
import dev.switchboard.bench.load.SioClient;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Scenario 4, request-reply: each client keeps {@code ackInFlight} {@code message-with-ack} requests
 * outstanding (closed loop: a new request as soon as an ack arrives) for the window. Figures: acks
 * per second and the latency percentiles of request to ack.
 */
final class RequestReplyScenario {

    private RequestReplyScenario() {}

    static Result run(ServerProcess server, Profile p) {
        Result r = new Result("request-reply", server.spec().name());
        Duration bound = Duration.ofSeconds(90).plus(p.ackWindow());
        try (LoadGenerator gen = Load.generator(server, p.ackClients(), bound)) {
            ConnectReport report = Load.connect(gen, p.ackClients(), p.connectRate(), null, r);
            if (report.clients().isEmpty()) {
                return r.note("no client connected");
            }
            LatencyRecorder latency = new LatencyRecorder();
            LongAdder acks = new LongAdder();
            LongAdder failures = new LongAdder();
            AtomicLong seq = new AtomicLong();
            GeneratorCpu cpu = GeneratorCpu.start();
            ServerCpu serverCpu = ServerCpu.start(server);
            long start = System.nanoTime();
            long end = start + p.ackWindow().toNanos();
            for (SioClient c : report.clients()) {
                for (int k = 0; k < p.ackInFlight(); k++) {
                    request(c, end, p.payloadBytes(), seq, latency, acks, failures);
                }
            }
            Load.pause(p.ackWindow());
            double seconds = (System.nanoTime() - start) / 1e9;
            double generatorCpu = cpu.percent();
            serverCpu.stop();
            long done = acks.sum();
            r.put("clients", report.established());
            r.put("in flight", (double) report.established() * p.ackInFlight());
            r.put("acks/s", done / seconds);
            Load.percentiles(latency.takeInterval(), r);
            r.put("generator CPU %", generatorCpu);
            // one request in and its ack out
            serverCpu.record(r, done, "ack");
            if (failures.sum() > 0) {
                r.put("failed requests", failures.sum());
            }
        }
        return r;
    }

    /** One request; its ack (on the client's event loop) records the latency and sends the next. */
    private static void request(SioClient c, long end, int payloadBytes, AtomicLong seq, LatencyRecorder latency,
                                LongAdder acks, LongAdder failures) {
        if (System.nanoTime() >= end || !c.isActive()) {
            return;
        }
        String payload = Payloads.timestamped(System.nanoTime(), seq.getAndIncrement(), payloadBytes);
        c.emitWithAck("[\"message-with-ack\"," + payload + "]").whenComplete((ack, t) -> {
            if (t != null) {
                failures.increment();
                return;
            }
            if (System.nanoTime() < end) {
                acks.increment();
                latency.recordSince(Payloads.timestampOf(ack));
            }
            request(c, end, payloadBytes, seq, latency, acks, failures);
        });
    }
}
