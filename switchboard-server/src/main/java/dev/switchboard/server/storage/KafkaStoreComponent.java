package dev.switchboard.server.storage;

import dev.switchboard.core.node.Component;
import dev.switchboard.core.node.ComponentContext;
import dev.switchboard.core.spi.StoreException;
import dev.switchboard.kafka.KafkaStoreConfig;
import dev.switchboard.kafka.KafkaStreamStore;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka's stream store as a supervised component: {@link #start} connects (and creates the topic if
 * absent) or fails with a {@link StoreException} when the brokers cannot be reached, and the
 * supervisor tries again with backoff for as long as the node runs ({@link KafkaStorage#supervision}).
 * Until then {@code /health/ready} shows it down and Kafka-backed operations fail with {@code CLOSED}
 * (503 over HTTP). Its meters appear as {@code switchboard_kafka_*}.
 *
 * <p>Threading: start and stop on the component's actor; {@link #current} from any thread.
 */
final class KafkaStoreComponent implements Component {

    static final String NAME = "kafka-streams";
    private static final Logger log = LoggerFactory.getLogger(KafkaStoreComponent.class);

    private final KafkaStoreConfig config;
    private volatile KafkaStreamStore store;
    /** Only the first failure of a run of failures is explained at length; the supervisor logs each retry. */
    private boolean failing;

    KafkaStoreComponent(KafkaStoreConfig config, MeterRegistry registry) {
        this.config = config;
        FunctionCounter.builder("switchboard.kafka.duplicates", this, c -> {
            KafkaStreamStore s = c.store;
            return s == null ? 0 : s.duplicates();
        }).description("appends answered from the de-duplication window (since the store last connected)").register(registry);
        Gauge.builder("switchboard.kafka.appends.pending", this, c -> {
            KafkaStreamStore s = c.store;
            return s == null ? 0 : s.pendingAppends();
        }).description("appends waiting for Kafka's acknowledgement").register(registry);
    }

    @Override
    public void start(ComponentContext context) {
        try {
            store = KafkaStreamStore.open(config);
            if (failing) {
                log.info("kafka store: brokers at {} reachable again", config.bootstrapServers());
            }
            failing = false;
        } catch (StoreException e) {
            if (!failing) {
                log.warn("kafka store: brokers at {} unreachable ({}); durable rooms answer 503 until they are back, retrying",
                        config.bootstrapServers(), e.getMessage());
            }
            failing = true;
            throw e;
        }
    }

    /** The store open now; null while connecting, reconnecting or after the node stopped. */
    KafkaStreamStore current() {
        return store;
    }

    @Override
    public void stop() {
        KafkaStreamStore s = store;
        store = null;
        if (s != null) {
            s.close();
        }
    }
}
