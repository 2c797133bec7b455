package dev.switchboard.kafka;

import dev.switchboard.core.spi.StoreException;
import dev.switchboard.core.spi.StreamStore.ReadResult;
import dev.switchboard.core.spi.StreamStore.StoredMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads (by position or time) and end positions, with one consumer on one thread ({@code kafka-read}):
 * a {@code KafkaConsumer} is single-threaded, and reads are short (a recovery reads what a client
 * missed). No consumer group: partitions are assigned by hand and nothing is committed.
 *
 * <p>A stream shares its partition with others, so a read passes over their records; it stops at the
 * partition's end as of its start, at {@code max} messages of the stream, or after
 * {@code maxScanRecords} records of any stream once it found at least one message of its stream (then
 * it answers what it found, and the caller reads on from the last position). At most {@value #MAX_QUEUED} reads wait; more fail with {@code OVERLOADED}.
 */
final class Reader implements AutoCloseable {

    private static final int MAX_QUEUED = 1024;

    private final KafkaStoreConfig config;
    private final int partitions;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final ThreadPoolExecutor thread;

    Reader(KafkaStoreConfig config, int partitions) {
        this.config = config;
        this.partitions = partitions;
        this.consumer = newConsumer(config, "switchboard-streams-reader");
        this.thread = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(MAX_QUEUED), r -> {
            Thread t = new Thread(r, "kafka-read");
            t.setDaemon(true);
            return t;
        });
    }

    static KafkaConsumer<byte[], byte[]> newConsumer(KafkaStoreConfig config, String clientId) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) config.requestTimeout().toMillis());
        p.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) config.requestTimeout().toMillis());
        // Only committed records: an aborted transaction's records (from other producers) are never replayed.
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    TopicPartition partitionOf(String stream) {
        return new TopicPartition(config.topic(), Records.partitionOf(stream, partitions));
    }

    CompletionStage<ReadResult> read(String stream, long fromPosition, int max) {
        return submit(() -> scan(stream, fromPosition, max));
    }

    CompletionStage<ReadResult> readFromTime(String stream, long epochMillis, int max) {
        return submit(() -> {
            TopicPartition tp = partitionOf(stream);
            Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(Map.of(tp, Math.max(0, epochMillis)), config.requestTimeout());
            OffsetAndTimestamp at = found.get(tp);
            if (at == null) {
                long end = consumer.endOffsets(List.of(tp), config.requestTimeout()).get(tp);
                long first = consumer.beginningOffsets(List.of(tp), config.requestTimeout()).get(tp);
                return new ReadResult(List.of(), first, end, false);
            }
            return scan(stream, at.offset(), max);
        });
    }

    CompletionStage<Long> endPosition(String stream) {
        return submit(() -> {
            TopicPartition tp = partitionOf(stream);
            return consumer.endOffsets(List.of(tp), config.requestTimeout()).get(tp);
        });
    }

    /** Runs on the read thread. */
    private ReadResult scan(String stream, long fromPosition, int max) {
        TopicPartition tp = partitionOf(stream);
        long first = consumer.beginningOffsets(List.of(tp), config.requestTimeout()).get(tp);
        long end = consumer.endOffsets(List.of(tp), config.requestTimeout()).get(tp);
        // The partition is shared: a start below its log start may or may not have held this stream's
        // messages; it is reported as truncated (a reader may have lost messages), never skipped silently.
        boolean truncated = fromPosition < first && first > 0;
        long start = Math.max(fromPosition, first);
        List<StoredMessage> out = new ArrayList<>();
        if (start >= end || max <= 0) {
            return new ReadResult(out, first, end, truncated);
        }
        byte[] key = stream.getBytes(StandardCharsets.UTF_8);
        consumer.assign(List.of(tp));
        consumer.seek(tp, start);
        long deadline = System.nanoTime() + config.requestTimeout().toNanos();
        long next = start;
        int scanned = 0;
        try {
            // Past maxScanRecords the read answers what it found (the caller reads on after its last
            // message); having found nothing it goes on to the end (or its timeout): an empty answer
            // must mean "nothing more", never "gave up".
            while (next < end && out.size() < max && (scanned < config.maxScanRecords() || out.isEmpty())) {
                if (System.nanoTime() > deadline) {
                    throw new StoreException(StoreException.Reason.FAILED,
                            "reading " + tp + " from " + start + " timed out after " + config.requestTimeout());
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    next = r.offset() + 1;
                    if (r.offset() >= end) {
                        break;
                    }
                    scanned++;
                    StoredMessage m = Records.toMessage(stream, key, r);
                    if (m != null) {
                        out.add(m);
                        if (out.size() >= max) {
                            break;
                        }
                    }
                }
                // Transaction markers and compacted gaps have no record: the position says how far the read got.
                next = Math.max(next, consumer.position(tp));
            }
        } finally {
            consumer.unsubscribe();
        }
        return new ReadResult(out, first, end, truncated);
    }

    private <T> CompletionStage<T> submit(Supplier<T> op) {
        CompletableFuture<T> f = new CompletableFuture<>();
        try {
            thread.execute(() -> {
                try {
                    f.complete(op.get());
                } catch (StoreException e) {
                    f.completeExceptionally(e);
                } catch (RuntimeException e) {
                    f.completeExceptionally(new StoreException(StoreException.Reason.FAILED, "Kafka read failed: " + e.getMessage(), e));
                }
            });
        } catch (RejectedExecutionException e) {
            f.completeExceptionally(thread.isShutdown()
                    ? new StoreException(StoreException.Reason.CLOSED, "the Kafka store is closed")
                    : new StoreException(StoreException.Reason.OVERLOADED, "too many Kafka reads waiting (" + MAX_QUEUED + ")"));
        }
        return f;
    }

    @Override
    public void close() {
        thread.shutdown();
        try {
            thread.awaitTermination(config.requestTimeout().toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
    }
}
