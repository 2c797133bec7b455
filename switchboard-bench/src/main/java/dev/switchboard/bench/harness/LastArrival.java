package dev.switchboard.bench.harness;

/**
 * When the latest message arrived ({@link System#nanoTime()}), written by the load generator's event
 * loops and read by the scenario once deliveries stopped. A plain volatile: the last writer wins,
 * which is what "latest" needs within the clock's resolution.
 */
final class LastArrival {

    private volatile long nanos;

    void mark() {
        nanos = System.nanoTime();
    }

    /** Seconds from {@code startNanos} to the latest arrival; 0 when nothing arrived since. */
    double secondsSince(long startNanos) {
        long n = nanos;
        return n > startNanos ? (n - startNanos) / 1e9 : 0;
    }
}
