package dev.switchboard.server.admin;

import dev.switchboard.engineio.EngineSocket;
import dev.switchboard.engineio.TransportKind;
import dev.switchboard.socketio.Namespace;
import dev.switchboard.socketio.SocketIoServer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code server_stats} event: who this server is, its Engine.IO connections, each namespace's socket
 * count, and the UI's "aggregated events" (connections, disconnections, packets and bytes in and out)
 * since the previous snapshot.
 *
 * <p>Packets and bytes are the deltas of the server's own counters ({@code switchboard.socketio.packets},
 * {@code switchboard.socketio.bytes}); Engine.IO connections and disconnections are the differences
 * between two snapshots of the session ids, so a connection that opened and closed between two snapshots
 * is not counted, and a disconnection's reason is not known (reported as {@code transport close}).
 * Not thread-safe: called from the admin UI's one timer thread (and, with {@code advance} false, from
 * any thread, which reads without moving the window).
 */
final class ServerStats {

    /** What the UI reads; field names as the npm package sends them. */
    record Snapshot(String serverId, String hostname, long pid, double uptime, int clientsCount,
                    int pollingClientsCount, List<AggregatedEvent> aggregatedEvents, List<NamespaceCount> namespaces) {}

    record AggregatedEvent(long timestamp, String type, String subType, long count) {}

    record NamespaceCount(String name, int socketsCount) {}

    private final SocketIoServer io;
    private final MeterRegistry registry;
    private final String hostname = hostname();
    private final long pid = ProcessHandle.current().pid();
    private Set<String> lastSessions = Set.of();
    private final double[] lastTotals = new double[4];

    ServerStats(SocketIoServer io, MeterRegistry registry) {
        this.io = io;
        this.registry = registry;
        totals(lastTotals);
    }

    /** @param advance whether this snapshot closes the aggregation window (the timer's); else no events */
    Snapshot snapshot(boolean advance) {
        Set<String> sessions = new HashSet<>();
        int polling = 0;
        for (EngineSocket s : io.engine().sessions()) {
            sessions.add(s.id());
            if (s.transport() == TransportKind.POLLING) {
                polling++;
            }
        }
        List<AggregatedEvent> events = new ArrayList<>();
        if (advance) {
            long second = System.currentTimeMillis() / 1000 * 1000;
            long opened = sessions.stream().filter(id -> !lastSessions.contains(id)).count();
            long closed = lastSessions.stream().filter(id -> !sessions.contains(id)).count();
            add(events, second, "rawConnection", null, opened);
            add(events, second, "rawDisconnection", "transport close", closed);
            double[] totals = new double[4];
            totals(totals);
            String[] types = {"packetsIn", "packetsOut", "bytesIn", "bytesOut"};
            for (int i = 0; i < types.length; i++) {
                add(events, second, types[i], null, Math.round(totals[i] - lastTotals[i]));
            }
            System.arraycopy(totals, 0, lastTotals, 0, totals.length);
            lastSessions = sessions;
        }
        List<NamespaceCount> namespaces = new ArrayList<>();
        for (Namespace ns : io.namespaces()) {
            namespaces.add(new NamespaceCount(ns.name(), ns.sockets().size()));
        }
        double uptime = ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0;
        return new Snapshot(hostname, hostname, pid, uptime, sessions.size(), polling, events, namespaces);
    }

    private static void add(List<AggregatedEvent> events, long timestamp, String type, String subType, long count) {
        if (count > 0) {
            events.add(new AggregatedEvent(timestamp, type, subType, count));
        }
    }

    private void totals(double[] into) {
        into[0] = sum("switchboard.socketio.packets", "in");
        into[1] = sum("switchboard.socketio.packets", "out");
        into[2] = sum("switchboard.socketio.bytes", "in");
        into[3] = sum("switchboard.socketio.bytes", "out");
    }

    private double sum(String name, String direction) {
        double total = 0;
        for (Counter c : registry.find(name).tag("direction", direction).counters()) {
            total += c.count();
        }
        return total;
    }

    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
