package dev.switchboard.kafka;

import dev.switchboard.core.spi.StoreException;
import dev.switchboard.core.spi.StreamStore;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka as the {@link StreamStore}: every stream in one topic ({@link KafkaStoreConfig#topic()}),
 * keyed by the stream name, so that a stream's messages stay in order in one partition; positions are
 * that partition's offsets (strictly increasing, not dense: other streams share the partition).
 * Appends go through an idempotent {@code acks=all} producer ({@link Appender}); reads and end
 * positions through one consumer without a group ({@link Reader}); each tail subscription has its own
 * consumer ({@link KafkaTail}). Retention is the topic's: {@code retention.ms} / {@code retention.bytes}
 * set when this store creates the topic, Kafka's to enforce afterwards.
 *
 * <p>Why one topic and not one per room: rooms come and go by the thousand, while Kafka's cost is per
 * partition (files, memory, controller metadata, recovery time); a topic per room would also have to be
 * created before a room's first publish. The price is that a read passes over the other streams of its
 * partition (bounded by {@link KafkaStoreConfig#maxScanRecords()}); more partitions lower it.
 *
 * <p>Threading: every method is safe from any thread and returns at once; stages complete on the
 * producer's I/O thread (appends) or on {@code kafka-read} (reads).
 */
public final class KafkaStreamStore implements StreamStore {

    private static final Logger log = LoggerFactory.getLogger(KafkaStreamStore.class);

    private final KafkaStoreConfig config;
    private final Appender appender;
    private final Reader reader;
    private final Set<KafkaTail> tails = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private KafkaStreamStore(KafkaStoreConfig config, int partitions) {
        this.config = config;
        this.appender = new Appender(config, partitions);
        this.reader = new Reader(config, partitions);
    }

    /**
     * Connects, creates the topic if absent (with the configured partitions and retention) and returns
     * the open store. Blocks up to a few request timeouts; throws {@link StoreException}
     * ({@code CLOSED}) when the brokers cannot be reached, so a supervisor can retry.
     */
    public static KafkaStreamStore open(KafkaStoreConfig config) {
        Objects.requireNonNull(config, "config");
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        int timeout = (int) config.requestTimeout().toMillis();
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeout);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeout);
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "switchboard-streams-admin");
        try (Admin admin = Admin.create(p)) {
            await(admin.describeCluster().nodes(), config, "reach the Kafka brokers at " + config.bootstrapServers());
            int partitions = ensureTopic(admin, config);
            KafkaStreamStore store = new KafkaStreamStore(config, partitions);
            log.info("kafka store open: topic {} ({} partitions) on {}", config.topic(), partitions, config.bootstrapServers());
            return store;
        }
    }

    private static int ensureTopic(Admin admin, KafkaStoreConfig config) {
        Map<String, String> topicConfig = new HashMap<>();
        topicConfig.put(TopicConfig.RETENTION_MS_CONFIG,
                config.retentionTime().isZero() ? "-1" : String.valueOf(config.retentionTime().toMillis()));
        topicConfig.put(TopicConfig.RETENTION_BYTES_CONFIG,
                config.retentionBytesPerPartition() == 0 ? "-1" : String.valueOf(config.retentionBytesPerPartition()));
        // Reads from a time use the producer's timestamps (the append time on this node).
        topicConfig.put(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "CreateTime");
        NewTopic topic = new NewTopic(config.topic(), config.partitions(), config.replicationFactor()).configs(topicConfig);
        try {
            await(admin.createTopics(List.of(topic)).all(), config, "create topic " + config.topic());
            log.info("kafka store: created topic {} ({} partitions, retention.ms {}, retention.bytes {})", config.topic(),
                    config.partitions(), topicConfig.get(TopicConfig.RETENTION_MS_CONFIG), topicConfig.get(TopicConfig.RETENTION_BYTES_CONFIG));
        } catch (StoreException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
        TopicDescription d = await(admin.describeTopics(List.of(config.topic())).allTopicNames(), config,
                "describe topic " + config.topic()).get(config.topic());
        return d.partitions().size();
    }

    private static <T> T await(org.apache.kafka.common.KafkaFuture<T> f, KafkaStoreConfig config, String what) {
        try {
            return f.get(config.requestTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new StoreException(StoreException.Reason.CLOSED, "could not " + what + ": " + cause.getMessage(), cause);
        } catch (TimeoutException e) {
            throw new StoreException(StoreException.Reason.CLOSED, "could not " + what + " within " + config.requestTimeout(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException(StoreException.Reason.CLOSED, "interrupted while trying to " + what, e);
        }
    }

    public KafkaStoreConfig config() {
        return config;
    }

    /** Appends answered from the de-duplication window since this store opened. */
    public long duplicates() {
        return appender.duplicates();
    }

    /** Appends waiting for Kafka's acknowledgement now. */
    public int pendingAppends() {
        return appender.pending();
    }

    @Override
    public CompletionStage<Long> append(String stream, String messageId, byte[] payload) {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(payload, "payload");
        if (messageId == null || messageId.isEmpty() || messageId.length() > 256) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("messageId must have 1..256 characters"));
        }
        if (closed) {
            return CompletableFuture.failedFuture(closedException());
        }
        return appender.append(stream, messageId, payload);
    }

    @Override
    public CompletionStage<ReadResult> read(String stream, long fromPosition, int max) {
        if (closed) {
            return CompletableFuture.failedFuture(closedException());
        }
        return reader.read(stream, fromPosition, max);
    }

    @Override
    public CompletionStage<ReadResult> readFromTime(String stream, long epochMillis, int max) {
        if (closed) {
            return CompletableFuture.failedFuture(closedException());
        }
        return reader.readFromTime(stream, epochMillis, max);
    }

    @Override
    public CompletionStage<Long> endPosition(String stream) {
        if (closed) {
            return CompletableFuture.failedFuture(closedException());
        }
        return reader.endPosition(stream);
    }

    @Override
    public Tail subscribe(String stream, long afterPosition, int maxPending, Executor executor, TailListener listener) {
        Objects.requireNonNull(stream, "stream");
        if (maxPending < 1) {
            throw new IllegalArgumentException("maxPending must be >= 1, got " + maxPending);
        }
        if (closed) {
            executor.execute(() -> listener.onEnd(Tail.End.FAILED, afterPosition, closedException()));
            return () -> {};
        }
        KafkaTail tail = new KafkaTail(config, reader.partitionOf(stream), stream, afterPosition, maxPending, executor, listener, tails::remove);
        tails.add(tail);
        if (closed) { // closed meanwhile: close() may have missed it
            tail.stop(Tail.End.FAILED);
        }
        tail.start();
        return tail;
    }

    private static StoreException closedException() {
        return new StoreException(StoreException.Reason.CLOSED, "the Kafka store is closed");
    }

    /** Ends every tail (FAILED), waits for appends in flight up to the request timeout, closes the clients. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (KafkaTail t : tails) {
            t.stop(Tail.End.FAILED);
        }
        appender.close();
        reader.close();
    }
}
