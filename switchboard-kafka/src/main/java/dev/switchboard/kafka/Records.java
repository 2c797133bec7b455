package dev.switchboard.kafka;

import dev.switchboard.core.spi.StreamStore.StoredMessage;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.utils.Utils;

/**
 * How a stream message is laid out as a Kafka record: key = the stream name (UTF-8), value = the
 * payload, header {@value #MESSAGE_ID} = the message id (UTF-8), timestamp = the producer's append time.
 * The partition is chosen from the key exactly as Kafka's default partitioner does (murmur2), so
 * records produced by other clients with the stream as key land where this store reads.
 */
final class Records {

    static final String MESSAGE_ID = "sb-message-id";

    private Records() {}

    static int partitionOf(String stream, int partitions) {
        return Utils.toPositive(Utils.murmur2(stream.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /** The record as a stored message of {@code stream}, or null if it belongs to another stream. */
    static StoredMessage toMessage(String stream, byte[] streamKey, ConsumerRecord<byte[], byte[]> r) {
        if (r.key() == null || !java.util.Arrays.equals(r.key(), streamKey)) {
            return null;
        }
        Header id = r.headers().lastHeader(MESSAGE_ID);
        String messageId = id == null ? "kafka-" + r.partition() + "-" + r.offset() : new String(id.value(), StandardCharsets.UTF_8);
        byte[] payload = r.value() == null ? new byte[0] : r.value();
        return new StoredMessage(stream, r.offset(), messageId, r.timestamp(), payload);
    }
}
