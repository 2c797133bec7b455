package dev.switchboard.server.storage;

import java.time.Duration;
import java.util.Objects;

/**
 * {@code switchboard.kafka}: where the Kafka storage plane ({@code switchboard.store = kafka}) keeps
 * durable rooms' streams.
 *
 * @param bootstrapServers {@code host:port[,host:port...]}; empty when Kafka is not used
 * @param topic            the topic holding every stream (created if absent)
 * @param partitions       its partitions when created here
 * @param retention        its {@code retention.ms} when created here; zero = keep forever
 * @param requestTimeout   bound on one Kafka operation (connect, produce until acknowledged, read)
 */
public record KafkaSettings(String bootstrapServers, String topic, int partitions, Duration retention, Duration requestTimeout) {

    public KafkaSettings {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(retention, "retention");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
    }

    /** As the reference configuration: no brokers. */
    public static KafkaSettings defaults() {
        return new KafkaSettings("", "switchboard.streams", 6, Duration.ofDays(7), Duration.ofSeconds(10));
    }
}
