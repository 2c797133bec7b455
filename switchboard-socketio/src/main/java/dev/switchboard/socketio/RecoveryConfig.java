package dev.switchboard.socketio;

import java.time.Duration;
import dev.switchboard.socketio.recovery.RecoveryBackend;
import java.util.Objects;

/**
 * Connection state recovery (socket.io's {@code connectionStateRecovery}): off unless configured.
 * When on, the CONNECT reply carries a private session id ({@code pid}), each eligible event (no ack,
 * not volatile) gets an offset appended as its last argument, and a client that reconnects within
 * {@link #maxDisconnectionDuration()} with its pid and last offset gets back its id, rooms,
 * {@code data} and the events it missed.
 */
public final class RecoveryConfig {

    private final Duration maxDisconnectionDuration;
    private final boolean skipMiddlewares;
    private final int maxStoredPackets;
    private final RecoveryBackend.Factory backend;

    private RecoveryConfig(Builder b) {
        this.backend = b.backend;
        this.maxDisconnectionDuration = b.maxDisconnectionDuration;
        this.skipMiddlewares = b.skipMiddlewares;
        this.maxStoredPackets = b.maxStoredPackets;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static RecoveryConfig defaults() {
        return builder().build();
    }

    /** How long a disconnected session stays recoverable; default 2 minutes (the official default). */
    public Duration maxDisconnectionDuration() {
        return maxDisconnectionDuration;
    }

    /** Whether a recovered socket skips the namespace middleware; default true (the official default). */
    public boolean skipMiddlewares() {
        return skipMiddlewares;
    }

    /**
     * Bound of the per-namespace packet log kept for replay; default 10000. The oldest packets go first;
     * a client whose offset has gone gets a new session (never a silent gap).
     */
    public int maxStoredPackets() {
        return maxStoredPackets;
    }

    /**
     * Where sessions and replayable events are kept, per namespace; default
     * {@link RecoveryBackend#IN_MEMORY} (socket.io's in-memory adapter behaviour).
     */
    public RecoveryBackend.Factory backend() {
        return backend;
    }

    /** Validating builder. */
    public static final class Builder {
        private Duration maxDisconnectionDuration = Duration.ofMinutes(2);
        private boolean skipMiddlewares = true;
        private int maxStoredPackets = 10_000;
        private RecoveryBackend.Factory backend = RecoveryBackend.IN_MEMORY;

        private Builder() {}

        /** The recovery backend of each namespace (e.g. durable rooms over a stream store). */
        public Builder backend(RecoveryBackend.Factory backend) {
            this.backend = Objects.requireNonNull(backend, "backend");
            return this;
        }

        public Builder maxDisconnectionDuration(Duration d) {
            Objects.requireNonNull(d, "maxDisconnectionDuration");
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("maxDisconnectionDuration must be > 0, was " + d);
            }
            this.maxDisconnectionDuration = d;
            return this;
        }

        public Builder skipMiddlewares(boolean skip) {
            this.skipMiddlewares = skip;
            return this;
        }

        public Builder maxStoredPackets(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxStoredPackets must be >= 1, was " + n);
            }
            this.maxStoredPackets = n;
            return this;
        }

        public RecoveryConfig build() {
            return new RecoveryConfig(this);
        }
    }
}
