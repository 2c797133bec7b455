package dev.switchboard.transport;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** What the listener's {@link ConnectionLimits} did, for metrics. Counters only grow. Thread-safe. */
public final class TransportStats {

    final LongAdder headTimeouts = new LongAdder();
    final LongAdder bodyTimeouts = new LongAdder();
    final LongAdder refusedNodeLimit = new LongAdder();
    final LongAdder refusedAddressLimit = new LongAdder();
    final AtomicInteger open = new AtomicInteger();

    TransportStats() {}

    /** Connections closed because their request head did not arrive within the head timeout. */
    public long headTimeouts() {
        return headTimeouts.sum();
    }

    /** Connections closed because a request body did not arrive within the body timeout. */
    public long bodyTimeouts() {
        return bodyTimeouts.sum();
    }

    /** Connections refused (503) because the listener held {@link ConnectionLimits#maxConnections()}. */
    public long refusedNodeLimit() {
        return refusedNodeLimit.sum();
    }

    /** Connections refused (429) because their address held {@link ConnectionLimits#maxConnectionsPerAddress()}. */
    public long refusedAddressLimit() {
        return refusedAddressLimit.sum();
    }

    /** Connections open now (admitted ones). */
    public int openConnections() {
        return open.get();
    }
}
