package dev.switchboard.server.storage;

import dev.switchboard.core.node.Component;
import dev.switchboard.core.node.SupervisionPolicy;
import dev.switchboard.core.spi.QueueStore;
import dev.switchboard.core.spi.SessionStore;
import dev.switchboard.core.spi.StreamStore;
import dev.switchboard.kafka.KafkaStoreConfig;
import dev.switchboard.server.durable.DurableSettings;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code switchboard.store = kafka}: durable rooms' streams (and the recovery sequence streams) on
 * Kafka ({@code switchboard.kafka}); inbox queues stay in the embedded store and recovery sessions in
 * files on this node, as with {@code embedded}: Kafka has no per-message leases to keep a queue in.
 */
final class KafkaStorage implements StoragePlane {

    static final class Factory implements StoragePlane.Factory {
        @Override
        public String name() {
            return "kafka";
        }

        @Override
        public StoragePlane create(StorageContext context) {
            return new KafkaStorage(context);
        }
    }

    /** Brokers may be away for long: keep trying (every 10 s at most) instead of giving up after 10 restarts. */
    private static final SupervisionPolicy RECONNECT = SupervisionPolicy.builder()
            .maxRestarts(Integer.MAX_VALUE).backoff(Duration.ofMillis(500), Duration.ofSeconds(10)).build();

    private final KafkaStoreComponent kafka;
    private final StoreComponent queues;
    private final SessionsComponent sessions;
    private final KafkaStreamHandle streamHandle;
    private final StoreHandle queueHandle;
    private final SessionHandle sessionHandle;

    private KafkaStorage(StorageContext context) {
        DurableSettings settings = context.settings();
        KafkaSettings k = context.kafka();
        this.kafka = new KafkaStoreComponent(KafkaStoreConfig.newBuilder(k.bootstrapServers()).topic(k.topic())
                .partitions(k.partitions()).retentionTime(k.retention()).requestTimeout(k.requestTimeout()).build(),
                context.registry());
        this.queues = new StoreComponent(context.dataDir(), context.registry(), b -> EmbeddedStorage.configure(b, settings));
        this.sessions = new SessionsComponent(context.dataDir().resolve("recovery").resolve("sessions"),
                settings.policy() == DurableSettings.Policy.FSYNC);
        this.streamHandle = new KafkaStreamHandle(kafka::current);
        this.queueHandle = new StoreHandle(queues::current);
        this.sessionHandle = new SessionHandle(sessions::current);
    }

    @Override
    public Map<String, Component> components() {
        Map<String, Component> c = new LinkedHashMap<>();
        c.put(KafkaStoreComponent.NAME, kafka);
        c.put(StoreComponent.NAME, queues);
        c.put(SessionsComponent.NAME, sessions);
        return c;
    }

    @Override
    public SupervisionPolicy supervision(String component) {
        return KafkaStoreComponent.NAME.equals(component) ? RECONNECT : StoragePlane.super.supervision(component);
    }

    @Override
    public StreamStore streams() {
        return streamHandle;
    }

    @Override
    public QueueStore queues() {
        return queueHandle;
    }

    @Override
    public SessionStore sessions() {
        return sessionHandle;
    }

    @Override
    public boolean isOpen() {
        return kafka.current() != null && queues.current() != null && sessions.current() != null;
    }
}
