package dev.switchboard.bench.harness;

/**
 * The echo settings every server runs with, passed as the same command-line options
 * ({@code --ping-interval --ping-timeout --max-payload --connect-timeout --cors}).
 *
 * <p>Ping interval 10 s (not the 25 s default) so that the idle scenario's CPU window sees every
 * connection's heartbeat at least once; ping timeout 10 s so that a load generator busy during the
 * unthrottled phases still answers in time.
 */
record Heartbeat(int pingIntervalMs, int pingTimeoutMs, int maxPayload, int connectTimeoutMs) {

    static Heartbeat standard() {
        return new Heartbeat(10_000, 10_000, 1_000_000, 45_000);
    }
}
