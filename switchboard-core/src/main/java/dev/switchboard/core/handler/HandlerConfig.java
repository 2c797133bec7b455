package dev.switchboard.core.handler;

import java.time.Duration;
import java.util.Objects;

/**
 * Options of the {@link HandlerRunner}. Immutable; built by {@link #builder()}.
 */
public final class HandlerConfig {

    private final int workers;
    private final int queueCapacity;
    private final Duration slowThreshold;
    private final HandlerEvents events;

    private HandlerConfig(Builder b) {
        this.workers = b.workers;
        this.queueCapacity = b.queueCapacity;
        this.slowThreshold = b.slowThreshold;
        this.events = b.events;
    }

    public static HandlerConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Threads for handlers declared blocking; default 16. */
    public int workers() {
        return workers;
    }

    /**
     * Blocking handlers waiting for a worker; default 1024. Past it a call is rejected at once (its
     * stage fails with {@link HandlerRejectedException}) rather than queued without bound.
     */
    public int queueCapacity() {
        return queueCapacity;
    }

    /**
     * How long a handler may hold an event loop before the watchdog warns, naming it; default 100 ms.
     * An event loop serves many connections: 100 ms of one handler is 100 ms of latency for all of them.
     */
    public Duration slowThreshold() {
        return slowThreshold;
    }

    /** Where failures, slow handlers and rejections are reported besides the log; default none. */
    public HandlerEvents events() {
        return events;
    }

    /** Validates each option as it is set; {@link #build()} leaves the builder unchanged. */
    public static final class Builder {
        private int workers = 16;
        private int queueCapacity = 1024;
        private Duration slowThreshold = Duration.ofMillis(100);
        private HandlerEvents events = HandlerEvents.NONE;

        private Builder() {}

        public Builder workers(int workers) {
            if (workers < 1) {
                throw new IllegalArgumentException("workers must be >= 1, was " + workers);
            }
            this.workers = workers;
            return this;
        }

        public Builder queueCapacity(int queueCapacity) {
            if (queueCapacity < 1) {
                throw new IllegalArgumentException("queue capacity must be >= 1, was " + queueCapacity);
            }
            this.queueCapacity = queueCapacity;
            return this;
        }

        public Builder slowThreshold(Duration slowThreshold) {
            Objects.requireNonNull(slowThreshold, "slowThreshold");
            if (slowThreshold.toMillis() < 1) {
                throw new IllegalArgumentException("slow threshold must be at least 1 ms, was " + slowThreshold);
            }
            this.slowThreshold = slowThreshold;
            return this;
        }

        public Builder events(HandlerEvents events) {
            this.events = Objects.requireNonNull(events, "events");
            return this;
        }

        public HandlerConfig build() {
            return new HandlerConfig(this);
        }
    }
}
