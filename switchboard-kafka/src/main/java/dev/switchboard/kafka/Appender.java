package dev.switchboard.kafka;

import dev.switchboard.core.spi.StoreException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Appends through one idempotent producer with {@code acks=all}: a stage completes with the record's
 * offset only once every in-sync replica has it (Kafka's acknowledgement), and fails with
 * {@link StoreException} when the produce fails or times out.
 *
 * <p>Order: sends are made on one thread ({@code kafka-append}), in call order; the idempotent
 * producer keeps a partition's records in send order through retries (at most 5 requests in flight),
 * and completes their callbacks in that order, so appends to one stream complete in call order.
 * {@code KafkaProducer.send} may block (metadata, a full buffer): that thread takes the wait, never
 * the caller.
 *
 * <p>De-duplication: the last {@code dedupWindowEntries} (stream, message id) pairs appended by this
 * process are remembered with their stage; a repeat gets the same stage (the first append's offset),
 * even while the first is in flight. A failed append is forgotten, so a retry stores it. The window is
 * per process: after a restart a retried id is stored again (the message id header lets readers
 * drop such a repeat).
 */
final class Appender implements AutoCloseable {

    private final KafkaStoreConfig config;
    private final int partitions;
    private final KafkaProducer<byte[], byte[]> producer;
    private final ThreadPoolExecutor sender;
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicLong duplicates = new AtomicLong();
    /** Guarded by itself; insertion order = age, the eldest is dropped past the window. */
    private final Map<String, CompletableFuture<Long>> window;

    Appender(KafkaStoreConfig config, int partitions) {
        this.config = config;
        this.partitions = partitions;
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        int timeout = (int) config.requestTimeout().toMillis();
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, timeout);
        // Kafka requires delivery.timeout.ms >= linger.ms + request.timeout.ms.
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, timeout * 3);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "switchboard-streams-producer");
        this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        this.sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(config.maxPendingAppends()),
                r -> {
                    Thread t = new Thread(r, "kafka-append");
                    t.setDaemon(true);
                    return t;
                });
        this.window = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, CompletableFuture<Long>> eldest) {
                return size() > config.dedupWindowEntries();
            }
        };
    }

    CompletionStage<Long> append(String stream, String messageId, byte[] payload) {
        String key = stream + '\u0000' + messageId;
        CompletableFuture<Long> stage;
        synchronized (window) {
            CompletableFuture<Long> known = window.get(key);
            if (known != null) {
                duplicates.incrementAndGet();
                return known;
            }
            if (pending.get() >= config.maxPendingAppends()) {
                return CompletableFuture.failedFuture(new StoreException(StoreException.Reason.OVERLOADED,
                        "too many appends waiting for Kafka (" + config.maxPendingAppends() + ")"));
            }
            stage = new CompletableFuture<>();
            window.put(key, stage);
            pending.incrementAndGet();
        }
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(config.topic(), Records.partitionOf(stream, partitions),
                stream.getBytes(StandardCharsets.UTF_8), payload);
        record.headers().add(Records.MESSAGE_ID, messageId.getBytes(StandardCharsets.UTF_8));
        try {
            sender.execute(() -> send(key, record, stage));
        } catch (RejectedExecutionException e) {
            fail(key, stage, new StoreException(StoreException.Reason.CLOSED, "the Kafka store is closed"));
        }
        return stage;
    }

    private void send(String key, ProducerRecord<byte[], byte[]> record, CompletableFuture<Long> stage) {
        try {
            producer.send(record, (metadata, error) -> {
                if (error != null) {
                    fail(key, stage, new StoreException(reason(error), "Kafka did not acknowledge the append to "
                            + record.topic() + "-" + record.partition() + ": " + error.getMessage(), error));
                } else {
                    pending.decrementAndGet();
                    stage.complete(metadata.offset());
                }
            });
        } catch (RuntimeException e) {
            // send() throws (rather than calling back) when metadata does not arrive within max.block.ms.
            fail(key, stage, new StoreException(reason(e), "Kafka refused the append to "
                    + record.topic() + "-" + record.partition() + ": " + e.getMessage(), e));
        }
    }

    /**
     * A retriable error (brokers unreachable, a leader moving, a timeout) means the store is not
     * available now, worth retrying (CLOSED: 503 over HTTP); anything else is a failed write.
     */
    private static StoreException.Reason reason(Throwable error) {
        return error instanceof org.apache.kafka.common.errors.RetriableException ? StoreException.Reason.CLOSED : StoreException.Reason.FAILED;
    }

    private void fail(String key, CompletableFuture<Long> stage, StoreException e) {
        pending.decrementAndGet();
        synchronized (window) {
            window.remove(key, stage);
        }
        stage.completeExceptionally(e);
    }

    long duplicates() {
        return duplicates.get();
    }

    int pending() {
        return pending.get();
    }

    @Override
    public void close() {
        sender.shutdown();
        try {
            sender.awaitTermination(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // Waits up to the request timeout for sends in flight; what is left fails its stage.
        producer.close(config.requestTimeout());
    }
}
