package dev.switchboard.core.spi;

import java.time.Duration;
import java.util.Objects;

/**
 * How much of a stream is kept: the oldest messages are dropped once any limit is exceeded, like
 * Kafka's {@code retention.ms} / {@code retention.bytes} (per stream here, not per segment) plus a
 * count limit. Readers asking for a dropped offset are told the history was truncated.
 *
 * <p>Immutable; built with {@link #newBuilder()}. A limit of {@code 0} (or {@link Duration#ZERO} for
 * the age) means "no limit of this kind".
 */
public final class RetentionPolicy {

    private static final RetentionPolicy UNLIMITED = newBuilder().build();

    private final long maxMessages;
    private final long maxBytes;
    private final Duration maxAge;

    private RetentionPolicy(Builder b) {
        this.maxMessages = b.maxMessages;
        this.maxBytes = b.maxBytes;
        this.maxAge = b.maxAge;
    }

    /** Keeps everything. */
    public static RetentionPolicy unlimited() {
        return UNLIMITED;
    }

    public static Builder newBuilder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().maxMessages(maxMessages).maxBytes(maxBytes).maxAge(maxAge);
    }

    /** Most messages kept per stream; 0 = no count limit. */
    public long maxMessages() {
        return maxMessages;
    }

    /** Most payload bytes kept per stream (sum of payload lengths, not disk bytes); 0 = no byte limit. */
    public long maxBytes() {
        return maxBytes;
    }

    /** Oldest message kept, by its append time; {@link Duration#ZERO} = no age limit. */
    public Duration maxAge() {
        return maxAge;
    }

    /** True when no limit is set. */
    public boolean isUnlimited() {
        return maxMessages == 0 && maxBytes == 0 && maxAge.isZero();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RetentionPolicy r
                && r.maxMessages == maxMessages && r.maxBytes == maxBytes && r.maxAge.equals(maxAge);
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxMessages, maxBytes, maxAge);
    }

    @Override
    public String toString() {
        return "RetentionPolicy{maxMessages=" + maxMessages + ", maxBytes=" + maxBytes + ", maxAge=" + maxAge + '}';
    }

    /** Validating builder; each setter rejects a bad value at once. */
    public static final class Builder {
        private long maxMessages;
        private long maxBytes;
        private Duration maxAge = Duration.ZERO;

        private Builder() {}

        public Builder maxMessages(long maxMessages) {
            if (maxMessages < 0) {
                throw new IllegalArgumentException("maxMessages must be >= 0 (0 = unlimited), got " + maxMessages);
            }
            this.maxMessages = maxMessages;
            return this;
        }

        public Builder maxBytes(long maxBytes) {
            if (maxBytes < 0) {
                throw new IllegalArgumentException("maxBytes must be >= 0 (0 = unlimited), got " + maxBytes);
            }
            this.maxBytes = maxBytes;
            return this;
        }

        public Builder maxAge(Duration maxAge) {
            Objects.requireNonNull(maxAge, "maxAge");
            if (maxAge.isNegative()) {
                throw new IllegalArgumentException("maxAge must be >= 0 (0 = unlimited), got " + maxAge);
            }
            this.maxAge = maxAge;
            return this;
        }

        public RetentionPolicy build() {
            return new RetentionPolicy(this);
        }
    }
}
