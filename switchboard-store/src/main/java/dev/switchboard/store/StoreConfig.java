package dev.switchboard.store;

import dev.switchboard.core.spi.StoreException;
import dev.switchboard.core.spi.RetentionPolicy;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

/**
 * Configuration of the {@link EmbeddedStore}: immutable, built by a validating builder. Every option
 * below is documented with its default and the reason for its bound.
 */
public final class StoreConfig {

    private final Path dataDirectory;
    private final Durability durability;
    private final int groupCommitMaxBatch;
    private final Duration groupCommitMaxDelay;
    private final int maxPendingOperations;
    private final int maxPendingReads;
    private final int readThreads;
    private final int maxMessageBytes;
    private final int maxReadBatch;
    private final Function<String, RetentionPolicy> retention;
    private final Duration retentionInterval;
    private final int maxRetentionDeletesPerRun;
    private final Duration leaseCheckInterval;
    private final int deliveryLimit;
    private final long maxQueueDepth;
    private final Duration maxVisibilityTimeout;
    private final Duration dedupWindow;
    private final int dedupWindowEntries;
    private final Clock clock;

    private StoreConfig(Builder b) {
        this.dataDirectory = b.dataDirectory;
        this.durability = b.durability;
        this.groupCommitMaxBatch = b.groupCommitMaxBatch;
        this.groupCommitMaxDelay = b.groupCommitMaxDelay;
        this.maxPendingOperations = b.maxPendingOperations;
        this.maxPendingReads = b.maxPendingReads;
        this.readThreads = b.readThreads;
        this.maxMessageBytes = b.maxMessageBytes;
        this.maxReadBatch = b.maxReadBatch;
        this.retention = b.retention;
        this.retentionInterval = b.retentionInterval;
        this.maxRetentionDeletesPerRun = b.maxRetentionDeletesPerRun;
        this.leaseCheckInterval = b.leaseCheckInterval;
        this.deliveryLimit = b.deliveryLimit;
        this.maxQueueDepth = b.maxQueueDepth;
        this.maxVisibilityTimeout = b.maxVisibilityTimeout;
        this.dedupWindow = b.dedupWindow;
        this.dedupWindowEntries = b.dedupWindowEntries;
        this.clock = b.clock;
    }

    /** A builder for a store in {@code dataDirectory} (created if missing). */
    public static Builder newBuilder(Path dataDirectory) {
        return new Builder(dataDirectory);
    }

    /** A builder holding this configuration; changing it does not change this object. */
    public Builder toBuilder() {
        Builder b = new Builder(dataDirectory);
        b.durability = durability;
        b.groupCommitMaxBatch = groupCommitMaxBatch;
        b.groupCommitMaxDelay = groupCommitMaxDelay;
        b.maxPendingOperations = maxPendingOperations;
        b.maxPendingReads = maxPendingReads;
        b.readThreads = readThreads;
        b.maxMessageBytes = maxMessageBytes;
        b.maxReadBatch = maxReadBatch;
        b.retention = retention;
        b.retentionInterval = retentionInterval;
        b.maxRetentionDeletesPerRun = maxRetentionDeletesPerRun;
        b.leaseCheckInterval = leaseCheckInterval;
        b.deliveryLimit = deliveryLimit;
        b.maxQueueDepth = maxQueueDepth;
        b.maxVisibilityTimeout = maxVisibilityTimeout;
        b.dedupWindow = dedupWindow;
        b.dedupWindowEntries = dedupWindowEntries;
        b.clock = clock;
        return b;
    }

    public Path dataDirectory() { return dataDirectory; }
    public Durability durability() { return durability; }
    public int groupCommitMaxBatch() { return groupCommitMaxBatch; }
    public Duration groupCommitMaxDelay() { return groupCommitMaxDelay; }
    public int maxPendingOperations() { return maxPendingOperations; }
    public int maxPendingReads() { return maxPendingReads; }
    public int readThreads() { return readThreads; }
    public int maxMessageBytes() { return maxMessageBytes; }
    public int maxReadBatch() { return maxReadBatch; }
    public Duration retentionInterval() { return retentionInterval; }
    public int maxRetentionDeletesPerRun() { return maxRetentionDeletesPerRun; }
    public Duration leaseCheckInterval() { return leaseCheckInterval; }
    public int deliveryLimit() { return deliveryLimit; }
    public long maxQueueDepth() { return maxQueueDepth; }
    public Duration maxVisibilityTimeout() { return maxVisibilityTimeout; }
    public Duration dedupWindow() { return dedupWindow; }
    public int dedupWindowEntries() { return dedupWindowEntries; }
    public Clock clock() { return clock; }

    /** The retention of one stream; asked once per stream when the store first meets it. */
    public RetentionPolicy retentionFor(String stream) {
        return Objects.requireNonNull(retention.apply(stream), "retention policy for " + stream);
    }

    /** Validating builder: each setter checks its value at once; {@link #build()} does not change the builder. */
    public static final class Builder {
        private final Path dataDirectory;
        private Durability durability = Durability.OS;
        private int groupCommitMaxBatch = 1024;
        private Duration groupCommitMaxDelay = Duration.ZERO;
        private int maxPendingOperations = 65_536;
        private int maxPendingReads = 1024;
        private int readThreads = 1;
        private int maxMessageBytes = 1 << 20;
        private int maxReadBatch = 10_000;
        private Function<String, RetentionPolicy> retention = stream -> DEFAULT_RETENTION;
        private Duration retentionInterval = Duration.ofSeconds(30);
        private int maxRetentionDeletesPerRun = 100_000;
        private Duration leaseCheckInterval = Duration.ofMillis(100);
        private int deliveryLimit = 20;
        private long maxQueueDepth = 1_000_000;
        private Duration maxVisibilityTimeout = Duration.ofHours(12);
        private Duration dedupWindow = Duration.ofMinutes(10);
        private int dedupWindowEntries = 100_000;
        private Clock clock = Clock.systemUTC();

        /** Kafka's default {@code retention.ms}: seven days, no count or byte limit. */
        private static final RetentionPolicy DEFAULT_RETENTION =
                RetentionPolicy.newBuilder().maxAge(Duration.ofDays(7)).build();

        private Builder(Path dataDirectory) {
            this.dataDirectory = Objects.requireNonNull(dataDirectory, "dataDirectory");
        }

        /** When writes are acknowledged. Default {@link Durability#OS}. */
        public Builder durability(Durability durability) {
            this.durability = Objects.requireNonNull(durability, "durability");
            return this;
        }

        /**
         * Most operations in one group commit (one RocksDB write, one fsync under FSYNC). Default 1024;
         * 1..100 000: the bound keeps one batch's memory and the latency of its first op finite.
         */
        public Builder groupCommitMaxBatch(int max) {
            this.groupCommitMaxBatch = range("groupCommitMaxBatch", max, 1, 100_000);
            return this;
        }

        /**
         * How long the writer may wait for more operations before committing a batch that is not full
         * (Kafka's {@code linger.ms}). Default 0: the batch is whatever arrived while the previous
         * commit ran, which already amortises fsync under load without delaying a lone writer. At most 1 s.
         */
        public Builder groupCommitMaxDelay(Duration delay) {
            Objects.requireNonNull(delay, "groupCommitMaxDelay");
            if (delay.isNegative() || delay.compareTo(Duration.ofSeconds(1)) > 0) {
                throw new IllegalArgumentException("groupCommitMaxDelay must be within 0..1s, got " + delay);
            }
            this.groupCommitMaxDelay = delay;
            return this;
        }

        /**
         * Bound of the queue of operations waiting for the writer thread. Default 65 536; when full, new
         * operations fail with {@link StoreException.Reason#OVERLOADED} (counted), never block the caller.
         */
        public Builder maxPendingOperations(int max) {
            this.maxPendingOperations = range("maxPendingOperations", max, 1, 10_000_000);
            return this;
        }

        /** Bound of the queue of reads waiting for a reader thread. Default 1024; beyond it reads fail with OVERLOADED. */
        public Builder maxPendingReads(int max) {
            this.maxPendingReads = range("maxPendingReads", max, 1, 1_000_000);
            return this;
        }

        /** Threads serving stream reads and dead-letter listings. Default 1 (reads are sequential I/O). 1..16. */
        public Builder readThreads(int threads) {
            this.readThreads = range("readThreads", threads, 1, 16);
            return this;
        }

        /** Largest payload accepted. Default 1 MiB (Socket.IO's default maxHttpBufferSize is 1e6). 1 B..64 MiB. */
        public Builder maxMessageBytes(int max) {
            this.maxMessageBytes = range("maxMessageBytes", max, 1, 64 << 20);
            return this;
        }

        /** Most messages one read returns, whatever {@code max} the caller asks. Default 10 000. */
        public Builder maxReadBatch(int max) {
            this.maxReadBatch = range("maxReadBatch", max, 1, 1_000_000);
            return this;
        }

        /** One retention policy for every stream. Default: seven days by age, no count or byte limit. */
        public Builder retention(RetentionPolicy policy) {
            Objects.requireNonNull(policy, "retention");
            this.retention = stream -> policy;
            return this;
        }

        /** Retention per stream name (e.g. from durable-room patterns); must not return null. */
        public Builder retention(Function<String, RetentionPolicy> perStream) {
            this.retention = Objects.requireNonNull(perStream, "retention");
            return this;
        }

        /** How often retention runs on the writer thread. Default 30 s; 10 ms..1 h. */
        public Builder retentionInterval(Duration interval) {
            this.retentionInterval = duration("retentionInterval", interval, Duration.ofMillis(10), Duration.ofHours(1));
            return this;
        }

        /**
         * Most messages one retention run drops per stream, so that a large backlog never stalls the
         * writer thread for long; the next run continues. Default 100 000.
         */
        public Builder maxRetentionDeletesPerRun(int max) {
            this.maxRetentionDeletesPerRun = range("maxRetentionDeletesPerRun", max, 1, 100_000_000);
            return this;
        }

        /** How often expired leases are looked for: the redelivery precision. Default 100 ms; 1 ms..10 s. */
        public Builder leaseCheckInterval(Duration interval) {
            this.leaseCheckInterval = duration("leaseCheckInterval", interval, Duration.ofMillis(1), Duration.ofSeconds(10));
            return this;
        }

        /**
         * Deliveries after which an unacknowledged message goes to the dead letters. Default 20
         * (RabbitMQ 4's default delivery limit for quorum queues); 1..10 000.
         */
        public Builder deliveryLimit(int limit) {
            this.deliveryLimit = range("deliveryLimit", limit, 1, 10_000);
            return this;
        }

        /** Most messages stored per queue; beyond it enqueue fails with QUEUE_FULL. Default 1 000 000. */
        public Builder maxQueueDepth(long max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxQueueDepth must be >= 1, got " + max);
            }
            this.maxQueueDepth = max;
            return this;
        }

        /** Longest lease a consumer may ask for. Default 12 h. */
        public Builder maxVisibilityTimeout(Duration max) {
            this.maxVisibilityTimeout = duration("maxVisibilityTimeout", max, Duration.ofMillis(1), Duration.ofDays(7));
            return this;
        }

        /**
         * How long a message id (stream append) or dedup key (queue enqueue) is remembered, so that a
         * retry stores nothing new. Default 10 min: well past any client's retry loop; 1 s..1 day. The
         * window lives in memory; at open, stream ids are read back from the stored messages (so a retry
         * after a crash is recognised), queue keys are not.
         */
        public Builder dedupWindow(Duration window) {
            this.dedupWindow = duration("dedupWindow", window, Duration.ofSeconds(1), Duration.ofDays(1));
            return this;
        }

        /**
         * Most ids remembered at once, streams and queues each (oldest forgotten first). Default 100 000:
         * about 10 MB of heap with 36-character ids; 1..10 000 000.
         */
        public Builder dedupWindowEntries(int max) {
            this.dedupWindowEntries = range("dedupWindowEntries", max, 1, 10_000_000);
            return this;
        }

        /** Source of append timestamps, lease deadlines and message age. Default UTC system clock; tests inject one. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public StoreConfig build() {
            return new StoreConfig(this);
        }

        private static int range(String name, int value, int min, int max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(name + " must be within " + min + ".." + max + ", got " + value);
            }
            return value;
        }

        private static Duration duration(String name, Duration value, Duration min, Duration max) {
            Objects.requireNonNull(value, name);
            if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
                throw new IllegalArgumentException(name + " must be within " + min + ".." + max + ", got " + value);
            }
            return value;
        }
    }
}
