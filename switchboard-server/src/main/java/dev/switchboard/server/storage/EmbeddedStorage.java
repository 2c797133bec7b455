package dev.switchboard.server.storage;

import dev.switchboard.core.node.Component;
import dev.switchboard.core.spi.QueueStore;
import dev.switchboard.core.spi.SessionStore;
import dev.switchboard.core.spi.StreamStore;
import dev.switchboard.server.durable.DurableSettings;
import dev.switchboard.store.Durability;
import dev.switchboard.store.StoreConfig;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code switchboard.store = embedded}: everything on this node's disk. Streams and queues in the
 * embedded RocksDB store ({@code <data-dir>/store}), recovery sessions in files
 * ({@code <data-dir>/recovery/sessions}); each a supervised component, restarted with backoff.
 */
final class EmbeddedStorage implements StoragePlane {

    static final class Factory implements StoragePlane.Factory {
        @Override
        public String name() {
            return "embedded";
        }

        @Override
        public StoragePlane create(StorageContext context) {
            return new EmbeddedStorage(context);
        }
    }

    private final StoreComponent store;
    private final SessionsComponent sessions;
    private final StoreHandle storeHandle;
    private final SessionHandle sessionHandle;

    private EmbeddedStorage(StorageContext context) {
        DurableSettings settings = context.settings();
        this.store = new StoreComponent(context.dataDir(), context.registry(), b -> configure(b, settings));
        this.sessions = new SessionsComponent(context.dataDir().resolve("recovery").resolve("sessions"),
                settings.policy() == DurableSettings.Policy.FSYNC);
        this.storeHandle = new StoreHandle(store::current);
        this.sessionHandle = new SessionHandle(sessions::current);
    }

    /** The store-level options: durability, per-room retention, delivery limit, retention interval. */
    static StoreConfig.Builder configure(StoreConfig.Builder b, DurableSettings settings) {
        return b.durability(settings.policy() == DurableSettings.Policy.FSYNC ? Durability.FSYNC : Durability.OS)
                .retention(settings.rooms().retentionByStream(DurableSettings.OTHER_STREAMS))
                .retentionInterval(settings.retentionCheck())
                .deliveryLimit(settings.inbox().maxAttempts());
    }

    @Override
    public Map<String, Component> components() {
        Map<String, Component> c = new LinkedHashMap<>();
        c.put(StoreComponent.NAME, store);
        c.put(SessionsComponent.NAME, sessions);
        return c;
    }

    @Override
    public StreamStore streams() {
        return storeHandle;
    }

    @Override
    public QueueStore queues() {
        return storeHandle;
    }

    @Override
    public SessionStore sessions() {
        return sessionHandle;
    }

    @Override
    public boolean isOpen() {
        return store.current() != null && sessions.current() != null;
    }
}
