package dev.switchboard.rabbitmq.inbox;

import java.time.Duration;
import java.util.Objects;

/**
 * How inboxes live on RabbitMQ. Immutable; {@link #newBuilder()} validates each option when set.
 */
public final class RabbitInboxConfig {

    private final int maxAttempts;
    private final long maxLength;
    private final String deadLetterExchange;
    private final Duration dedupWindow;
    private final int dedupMaxKeys;
    private final int maxPending;

    private RabbitInboxConfig(Builder b) {
        this.maxAttempts = b.maxAttempts;
        this.maxLength = b.maxLength;
        this.deadLetterExchange = b.deadLetterExchange;
        this.dedupWindow = b.dedupWindow;
        this.dedupMaxKeys = b.dedupMaxKeys;
        this.maxPending = b.maxPending;
    }

    public static Builder newBuilder() {
        return new Builder();
    }

    /** Deliveries before a message is dead-lettered: the queue's {@code x-delivery-limit} is one less. Default 5. */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** Messages one inbox queue holds at most ({@code x-max-length}, {@code reject-publish}); default 100,000. */
    public long maxLength() {
        return maxLength;
    }

    /** Where dead letters go: a fanout exchange and a quorum queue of the same name. */
    public String deadLetterExchange() {
        return deadLetterExchange;
    }

    /** How long an enqueue's de-duplication key is remembered on this node; default 10 min. */
    public Duration dedupWindow() {
        return dedupWindow;
    }

    /** De-duplication keys remembered at most (the oldest go first); default 100,000. */
    public int dedupMaxKeys() {
        return dedupMaxKeys;
    }

    /** Store operations queued for the broker at most; beyond, they fail with OVERLOADED. Default 10,000. */
    public int maxPending() {
        return maxPending;
    }

    public static final class Builder {
        private int maxAttempts = 5;
        private long maxLength = 100_000;
        private String deadLetterExchange = "switchboard.inbox.dead";
        private Duration dedupWindow = Duration.ofMinutes(10);
        private int dedupMaxKeys = 100_000;
        private int maxPending = 10_000;

        private Builder() {}

        /** 1..10,000 (RabbitMQ counts redeliveries: attempts = delivery limit + 1). */
        public Builder maxAttempts(int n) {
            if (n < 1 || n > 10_000) {
                throw new IllegalArgumentException("maxAttempts must be within 1..10000, was " + n);
            }
            this.maxAttempts = n;
            return this;
        }

        public Builder maxLength(long n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxLength must be positive, was " + n);
            }
            this.maxLength = n;
            return this;
        }

        public Builder deadLetterExchange(String name) {
            Objects.requireNonNull(name, "deadLetterExchange");
            if (name.isEmpty() || name.length() > 255) {
                throw new IllegalArgumentException("deadLetterExchange must be 1..255 characters");
            }
            this.deadLetterExchange = name;
            return this;
        }

        public Builder dedupWindow(Duration d) {
            Objects.requireNonNull(d, "dedupWindow");
            if (d.isNegative()) {
                throw new IllegalArgumentException("dedupWindow must not be negative, was " + d);
            }
            this.dedupWindow = d;
            return this;
        }

        public Builder dedupMaxKeys(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("dedupMaxKeys must not be negative, was " + n);
            }
            this.dedupMaxKeys = n;
            return this;
        }

        public Builder maxPending(int n) {
            if (n < 1 || n > 1_000_000) {
                throw new IllegalArgumentException("maxPending must be within 1..1000000, was " + n);
            }
            this.maxPending = n;
            return this;
        }

        public RabbitInboxConfig build() {
            return new RabbitInboxConfig(this);
        }
    }
}
