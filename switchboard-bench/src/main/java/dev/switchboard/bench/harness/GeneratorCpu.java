package dev.switchboard.bench.harness;

/**
 * CPU used by this JVM (the load generator and the harness) over a phase, as percent of one core.
 * With one generator event loop, a figure near 100 means the client, not the server, set the pace:
 * the report shows it next to every throughput so that such a result is not read as the server's.
 */
final class GeneratorCpu {

    private final long cpu0;
    private final long wall0;

    private GeneratorCpu() {
        cpu0 = ProcStats.cpuMillis(ProcessHandle.current());
        wall0 = System.nanoTime();
    }

    static GeneratorCpu start() {
        return new GeneratorCpu();
    }

    /** CPU milliseconds per wall millisecond since {@link #start()}, times 100. */
    double percent() {
        double wallMs = (System.nanoTime() - wall0) / 1e6;
        return wallMs <= 0 ? 0 : (ProcStats.cpuMillis(ProcessHandle.current()) - cpu0) * 100.0 / wallMs;
    }
}
