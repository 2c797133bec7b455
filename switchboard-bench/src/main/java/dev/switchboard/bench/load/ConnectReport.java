package dev.switchboard.bench.load;

import java.util.List;
import java.util.Map;

/**
 * Outcome of {@link LoadGenerator#connectMany}.
 *
 * @param clients      connections that completed the Socket.IO handshake, in order of completion
 * @param requested    connections asked for
 * @param failures     failed attempts by reason
 * @param elapsedNanos from the first attempt to the last outcome
 * @param stoppedBy    null when every attempt was made; otherwise which limit stopped it, with the
 *                     numbers (descriptor limit, ports per address, the duration bound)
 */
public record ConnectReport(List<SioClient> clients, int requested, Map<ConnectFailure, Integer> failures,
                            long elapsedNanos, String stoppedBy) {

    public int established() {
        return clients.size();
    }

    public int failed() {
        return failures.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** Established connections per second over the whole attempt. */
    public double perSecond() {
        return elapsedNanos == 0 ? 0 : clients.size() * 1e9 / elapsedNanos;
    }
}
