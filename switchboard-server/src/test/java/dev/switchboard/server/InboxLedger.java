package dev.switchboard.server;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What inbox clients saw across server crashes, to tell at-least-once from a store that forgets
 * acknowledgements. A message a client acknowledged {@code margin} or more before a kill (its ack had
 * long reached the store) is <em>settled</em>: no client may receive it again after that crash.
 * Messages acknowledged just before a kill may come back (their ack may have died with the server);
 * they are counted as duplicates, not failures.
 *
 * <p>Rounds: round 0 runs until the first kill, round k until kill k; deliveries are recorded with the
 * round of the client process that received them. Thread-safe (one lock; few thousand entries).
 */
final class InboxLedger {

    private final long marginNanos;
    /** Per message: the time (System.nanoTime) of its latest acknowledgement. */
    private final Map<Integer, Long> lastAck = new HashMap<>();
    /** Per round that ended in a kill: the messages settled by then. */
    private final List<Set<Integer>> settledAtKill = new ArrayList<>();
    private final List<String> forgotten = new ArrayList<>();
    private int deliveries;
    private final Set<Integer> distinct = new HashSet<>();

    InboxLedger(java.time.Duration margin) {
        this.marginNanos = margin.toNanos();
    }

    /** Client of {@code round} received message {@code n} at {@code nanos}, and acknowledged it if {@code acked}. */
    synchronized void delivered(int round, int n, boolean acked, long nanos) {
        deliveries++;
        distinct.add(n);
        for (int k = 0; k < Math.min(round, settledAtKill.size()); k++) {
            if (settledAtKill.get(k).contains(n)) {
                forgotten.add(n + " (settled before kill " + (k + 1) + ", delivered again in round " + round + ")");
                break;
            }
        }
        if (acked) {
            lastAck.merge(n, nanos, Math::max);
        }
    }

    /** Messages whose latest acknowledgement is older than the margin at {@code nanos}. */
    synchronized int settledAt(long nanos) {
        return (int) lastAck.values().stream().filter(t -> t <= nanos - marginNanos).count();
    }

    /** The server was killed at {@code nanos}, ending the current round. */
    synchronized void killed(long nanos) {
        Set<Integer> settled = new HashSet<>();
        lastAck.forEach((n, t) -> {
            if (t <= nanos - marginNanos) {
                settled.add(n);
            }
        });
        settledAtKill.add(settled);
    }

    /** Number of messages settled at each kill so far. */
    synchronized List<Integer> settledCounts() {
        return settledAtKill.stream().map(Set::size).toList();
    }

    /** Deliveries of settled messages after the kill that settled them: each one a forgotten ack. */
    synchronized List<String> forgotten() {
        return List.copyOf(forgotten);
    }

    /** Deliveries beyond the first of each message (redeliveries, allowed or not). */
    synchronized int duplicates() {
        return deliveries - distinct.size();
    }
}
