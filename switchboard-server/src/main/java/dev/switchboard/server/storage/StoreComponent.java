package dev.switchboard.server.storage;

import dev.switchboard.core.node.Component;
import dev.switchboard.core.node.ComponentContext;
import dev.switchboard.store.EmbeddedStore;
import dev.switchboard.store.StoreConfig;
import dev.switchboard.store.StoreStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.util.function.ToLongFunction;

/**
 * The embedded store (durable streams and reliable queues, RocksDB) in {@code <data-dir>/store}, as a
 * supervised component: opened by its supervisor on the blocking dispatcher, reopened with backoff if
 * it fails, flushed and closed when the node stops. Its counters appear as {@code switchboard_store_*}.
 *
 * <p>Threading: start and stop run on the component's actor, one at a time; {@link #store} is read from
 * any thread (metrics), hence volatile.
 */
final class StoreComponent implements Component {

    static final String NAME = "store";

    private final Path directory;
    private final java.util.function.UnaryOperator<StoreConfig.Builder> options;
    private volatile EmbeddedStore store;

    /** @param options applied to the store's configuration (durability, retention: switchboard.durable) */
    StoreComponent(Path dataDir, MeterRegistry registry, java.util.function.UnaryOperator<StoreConfig.Builder> options) {
        this.options = options;
        this.directory = dataDir.resolve("store");
        counter(registry, "appends", "stream messages stored", StoreStats::appends);
        counter(registry, "duplicates", "appends and enqueues answered from the de-duplication window", StoreStats::duplicates);
        counter(registry, "enqueues", "queue messages stored", StoreStats::enqueues);
        counter(registry, "commits", "write batches committed", StoreStats::commits);
        counter(registry, "rejected.overload", "operations refused: too many pending", StoreStats::rejectedOverload);
        counter(registry, "dead.lettered", "messages moved to dead letters", StoreStats::deadLettered);
        counter(registry, "tails.lagged", "tail subscriptions ended: their listener fell too far behind", StoreStats::laggedTails);
    }

    private void counter(MeterRegistry registry, String name, String description, ToLongFunction<StoreStats> f) {
        // Counts since this incarnation opened the store; a reopen after a failure starts again from 0.
        FunctionCounter.builder("switchboard.store." + name, this, c -> {
            EmbeddedStore s = c.store;
            return s == null ? 0 : f.applyAsLong(s.stats());
        }).description(description).register(registry);
    }

    @Override
    public void start(ComponentContext context) {
        store = EmbeddedStore.open(options.apply(StoreConfig.newBuilder(directory)).build());
    }

    /** The store open now; null while it opens, reopens or after the node stopped. */
    EmbeddedStore current() {
        return store;
    }

    @Override
    public void stop() {
        EmbeddedStore s = store;
        store = null;
        if (s != null) {
            s.close();
        }
    }
}
