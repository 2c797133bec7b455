package dev.switchboard.kafka;

import java.time.Duration;
import java.util.Objects;

/**
 * Configuration of a {@link KafkaStreamStore}. Immutable; built with {@link #newBuilder(String)}.
 *
 * <p>Every stream (a durable room, a namespace's recovery sequence) lives in one topic, keyed by the
 * stream name: a stream's messages are all in one partition, in append order, and its positions are
 * that partition's offsets.
 */
public final class KafkaStoreConfig {

    private final String bootstrapServers;
    private final String topic;
    private final int partitions;
    private final short replicationFactor;
    private final Duration retentionTime;
    private final long retentionBytesPerPartition;
    private final int dedupWindowEntries;
    private final Duration requestTimeout;
    private final int maxPendingAppends;
    private final int maxScanRecords;

    private KafkaStoreConfig(Builder b) {
        this.bootstrapServers = b.bootstrapServers;
        this.topic = b.topic;
        this.partitions = b.partitions;
        this.replicationFactor = b.replicationFactor;
        this.retentionTime = b.retentionTime;
        this.retentionBytesPerPartition = b.retentionBytesPerPartition;
        this.dedupWindowEntries = b.dedupWindowEntries;
        this.requestTimeout = b.requestTimeout;
        this.maxPendingAppends = b.maxPendingAppends;
        this.maxScanRecords = b.maxScanRecords;
    }

    /** @param bootstrapServers {@code host:port[,host:port...]} */
    public static Builder newBuilder(String bootstrapServers) {
        return new Builder(bootstrapServers);
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The topic holding every stream (default {@code switchboard.streams}). */
    public String topic() {
        return topic;
    }

    /** Partitions of the topic when this store creates it (default 6); an existing topic keeps its own. */
    public int partitions() {
        return partitions;
    }

    public short replicationFactor() {
        return replicationFactor;
    }

    /** {@code retention.ms} of a topic this store creates; {@link Duration#ZERO} = keep forever (-1). */
    public Duration retentionTime() {
        return retentionTime;
    }

    /** {@code retention.bytes} (per partition, Kafka's unit) of a topic this store creates; 0 = no limit. */
    public long retentionBytesPerPartition() {
        return retentionBytesPerPartition;
    }

    /** How many recent (stream, message id) pairs this process remembers to answer a retried append. */
    public int dedupWindowEntries() {
        return dedupWindowEntries;
    }

    /** Bound on one Kafka operation (metadata, a read, a produce until acknowledged). */
    public Duration requestTimeout() {
        return requestTimeout;
    }

    /** Appends waiting for Kafka's acknowledgement; more are refused with {@code OVERLOADED}. */
    public int maxPendingAppends() {
        return maxPendingAppends;
    }

    /** Records of other streams a read may pass over (one partition is shared) before it answers what it found. */
    public int maxScanRecords() {
        return maxScanRecords;
    }

    /** Validating builder; each setter rejects a bad value at once. */
    public static final class Builder {
        private final String bootstrapServers;
        private String topic = "switchboard.streams";
        private int partitions = 6;
        private short replicationFactor = 1;
        private Duration retentionTime = Duration.ofDays(7);
        private long retentionBytesPerPartition;
        private int dedupWindowEntries = 100_000;
        private Duration requestTimeout = Duration.ofSeconds(10);
        private int maxPendingAppends = 10_000;
        private int maxScanRecords = 100_000;

        private Builder(String bootstrapServers) {
            Objects.requireNonNull(bootstrapServers, "bootstrapServers");
            if (bootstrapServers.isBlank() || !bootstrapServers.contains(":")) {
                throw new IllegalArgumentException("bootstrapServers must be host:port[,host:port...], got \"" + bootstrapServers + "\"");
            }
            this.bootstrapServers = bootstrapServers.strip();
        }

        public Builder topic(String topic) {
            // Kafka's own rule for topic names.
            if (topic == null || !topic.matches("[a-zA-Z0-9._-]{1,249}")) {
                throw new IllegalArgumentException("topic must be 1..249 of [a-zA-Z0-9._-], got \"" + topic + "\"");
            }
            this.topic = topic;
            return this;
        }

        public Builder partitions(int partitions) {
            if (partitions < 1) {
                throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
            }
            this.partitions = partitions;
            return this;
        }

        public Builder replicationFactor(int replicationFactor) {
            if (replicationFactor < 1 || replicationFactor > Short.MAX_VALUE) {
                throw new IllegalArgumentException("replicationFactor must be >= 1, got " + replicationFactor);
            }
            this.replicationFactor = (short) replicationFactor;
            return this;
        }

        public Builder retentionTime(Duration retentionTime) {
            Objects.requireNonNull(retentionTime, "retentionTime");
            if (retentionTime.isNegative()) {
                throw new IllegalArgumentException("retentionTime must be >= 0 (0 = forever), got " + retentionTime);
            }
            this.retentionTime = retentionTime;
            return this;
        }

        public Builder retentionBytesPerPartition(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("retentionBytesPerPartition must be >= 0 (0 = no limit), got " + bytes);
            }
            this.retentionBytesPerPartition = bytes;
            return this;
        }

        public Builder dedupWindowEntries(int entries) {
            if (entries < 1) {
                throw new IllegalArgumentException("dedupWindowEntries must be >= 1, got " + entries);
            }
            this.dedupWindowEntries = entries;
            return this;
        }

        public Builder requestTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "requestTimeout");
            if (timeout.toMillis() < 100) {
                throw new IllegalArgumentException("requestTimeout must be >= 100 ms, got " + timeout);
            }
            this.requestTimeout = timeout;
            return this;
        }

        public Builder maxPendingAppends(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxPendingAppends must be >= 1, got " + max);
            }
            this.maxPendingAppends = max;
            return this;
        }

        public Builder maxScanRecords(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxScanRecords must be >= 1, got " + max);
            }
            this.maxScanRecords = max;
            return this;
        }

        public KafkaStoreConfig build() {
            return new KafkaStoreConfig(this);
        }
    }
}
