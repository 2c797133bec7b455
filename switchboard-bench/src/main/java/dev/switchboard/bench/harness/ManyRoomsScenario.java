package dev.switchboard.bench.harness;

import dev.switchboard.bench.load.ConnectReport;
import dev.switchboard.bench.load.LatencyRecorder;
import dev.switchboard.bench.load.LoadGenerator;
import dev.switchboard.bench.load.Payloads;
import dev.switchboard.bench.load.SioClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Scenario 3, many rooms: N clients in N/10 rooms (client i in room {@code i mod rooms}); broadcasts
 * at a fixed total rate, round-robin over the rooms, each published by a member of its room, so each
 * reaches about ten clients. Figures: delivered messages per second, latency percentiles, drops.
 */
final class ManyRoomsScenario {

    private ManyRoomsScenario() {}

    static Result run(ServerProcess server, Profile p) {
        Result r = new Result("many-rooms", server.spec().name());
        int n = p.roomClients();
        LongAdder delivered = new LongAdder();
        LatencyRecorder latency = new LatencyRecorder();
        LastArrival last = new LastArrival();
        SioClient.EventListener listener = (c, event, data) -> {
            if ("broadcast".equals(event)) {
                delivered.increment();
                last.mark();
                latency.recordSince(Payloads.timestampOf(data));
            }
        };
        Duration bound = Duration.ofSeconds((long) (n / p.connectRate()) + 90).plus(p.fanoutWindow());
        try (LoadGenerator gen = Load.generator(server, n, bound)) {
            ConnectReport report = Load.connect(gen, n, p.connectRate(), listener, r);
            List<SioClient> clients = report.clients();
            int rooms = Math.max(1, clients.size() / 10);
            r.put("rooms", rooms);
            if (clients.isEmpty()) {
                return r.note("no client connected");
            }
            int joinFailures = Load.join(clients, i -> "room-" + (i % rooms), Duration.ofSeconds(60));
            if (joinFailures > 0) {
                r.note(joinFailures + " joins not acknowledged");
            }
            // members per room, to know how many deliveries each broadcast should make
            int[] members = new int[rooms];
            for (int i = 0; i < clients.size(); i++) {
                members[i % rooms]++;
            }
            long d0 = delivered.sum();
            long expected = 0;
            long interval = (long) (1e9 / p.roomsRate());
            GeneratorCpu cpu = GeneratorCpu.start();
            ServerCpu serverCpu = ServerCpu.start(server);
            long start = System.nanoTime();
            long end = start + p.fanoutWindow().toNanos();
            long sent = 0;
            for (long i = 0; ; i++) {
                long due = start + i * interval;
                if (due >= end || gen.expired()) {
                    break;
                }
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                int room = (int) (i % rooms);
                SioClient pub = clients.get(room);
                if (!pub.isActive()) {
                    continue;
                }
                pub.emit("[\"broadcast\",\"room-" + room + "\"," + Payloads.timestamped(System.nanoTime(), i, p.payloadBytes()) + "]");
                expected += members[room];
                sent++;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long got = Load.drain(delivered, d0 + expected, Load.DRAIN_QUIET, Load.DRAIN_MAX) - d0;
            serverCpu.stop(); // drain returns as the last expected delivery arrives (later only with drops)
            r.put("published msg/s", sent / seconds);
            r.put("delivered msg/s", got / Math.max(seconds, last.secondsSince(start))); // first send to last arrival
            Load.percentiles(latency.takeInterval(), r);
            r.put("drops", Math.max(0, expected - got));
            r.put("generator CPU %", cpu.percent());
            serverCpu.record(r, got, null);
        }
        return r;
    }
}
