package dev.switchboard.bench.harness;

/**
 * CPU time the server under test used over one phase, from {@code utime + stime} in
 * {@code /proc/<pid>/stat} of its process tree. Divided by the messages it delivered in that phase,
 * it gives the server's cost per message, a figure that still compares servers when the load
 * generator (on the same two cores) sets the pace and the rates themselves do not.
 *
 * <p>Resolution is one clock tick (10 ms) per process, so a phase should use at least a second of
 * server CPU for the figure to mean something; the harness's phases use several.
 */
final class ServerCpu {

    /** Figure names, shared by every throughput scenario so the report can chart them side by side. */
    static final String PER_MESSAGE = "server CPU µs/msg";
    static final String PERCENT = "server CPU %";

    private final ServerProcess server;
    private final long cpu0;
    private final long wall0;
    private long cpuMicros = -1;
    private double wallMicros;

    private ServerCpu(ServerProcess server) {
        this.server = server;
        this.cpu0 = server.cpuMicros();
        this.wall0 = System.nanoTime();
    }

    static ServerCpu start(ServerProcess server) {
        return new ServerCpu(server);
    }

    /** Ends the phase: later calls of {@link #record} use the CPU time up to now. */
    ServerCpu stop() {
        if (cpuMicros < 0) {
            cpuMicros = server.cpuMicros() - cpu0;
            wallMicros = (System.nanoTime() - wall0) / 1e3;
        }
        return this;
    }

    /**
     * Puts the server's CPU per delivered message (µs) and its CPU use (% of one core) into {@code r};
     * with no message delivered only the percentage.
     */
    void record(Result r, long messages, String unit) {
        stop();
        if (messages > 0) {
            r.put(unit == null ? PER_MESSAGE : "server CPU µs/" + unit, cpuMicros / (double) messages);
        }
        if (wallMicros > 0) {
            r.put(PERCENT, cpuMicros * 100.0 / wallMicros);
        }
    }
}
