package dev.switchboard.core.routing;

import io.netty.util.concurrent.EventExecutor;

/**
 * Immutable per-loop arrays of a {@link Groups}' members at one version, shared read-only by every
 * publication that resolves while the version holds (fan-out tasks only read them).
 */
final class Snapshot {
    final long version;
    final EventExecutor[] loops;
    final Subscriber[][] members;

    Snapshot(long version, Batches from) {
        this.version = version;
        this.loops = new EventExecutor[from.count];
        this.members = new Subscriber[from.count][];
        for (int i = 0; i < from.count; i++) {
            Batch b = from.batches[i];
            loops[i] = b.loop;
            members[i] = b.size == b.subscribers.length ? b.subscribers
                    : java.util.Arrays.copyOf(b.subscribers, b.size);
        }
    }

    /** Batches over the shared arrays: a few objects per publication, none per subscriber. */
    Batches batches() {
        Batches out = new Batches();
        for (int i = 0; i < loops.length; i++) {
            out.add(new Batch(loops[i], members[i]));
        }
        return out;
    }
}
