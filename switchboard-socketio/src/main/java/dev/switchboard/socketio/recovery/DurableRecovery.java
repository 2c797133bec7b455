package dev.switchboard.socketio.recovery;

import dev.switchboard.core.spi.SessionStore;
import dev.switchboard.core.spi.StreamStore;
import java.time.Duration;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.BiPredicate;

/**
 * Connection state recovery for durable rooms, over the core's {@link StreamStore} (events) and
 * {@link SessionStore} (disconnected sessions): the {@link RecoveryBackend.Factory} to give
 * {@code RecoveryConfig.builder().backend(..)}. Immutable configuration, built by a validating builder;
 * {@link #open()} starts the shared state that the backends of all namespaces use.
 *
 * <p>What it guarantees: an event broadcast to a durable room is appended to the room's stream before
 * it is delivered; a client that reconnects with its {@code pid} and last offset gets exactly the events
 * of its durable rooms that it missed, in order, without gap or duplicate, for as long as the rooms'
 * retention keeps them and also after a server restart. When retention dropped some of them the client
 * is not recovered and gets {@value RecoveryBackend#HISTORY_TRUNCATED}. Events to non-durable rooms get
 * an offset too (so the client's position stays consistent) but are not replayed: they are kept nowhere.
 *
 * <p>Offsets are positions of the stream store, so any node sharing the store can restore a session:
 * each namespace has a sequence stream (named as the namespace; room streams are
 * {@code namespace#room}); every eligible event to a durable room first appends a marker there, and
 * the marker's position is the event's offset, stored with it in each room's stream.
 */
public final class DurableRecovery {

    private final StreamStore store;
    private final SessionStore sessions;
    private final BiPredicate<String, String> durable;
    private final BiFunction<String, String, String> streamName;
    private final Duration sessionTtl;
    private final int maxReplay;

    private DurableRecovery(Builder b) {
        this.store = b.store;
        this.sessions = b.sessions;
        this.durable = b.durable;
        this.streamName = b.streamName;
        this.sessionTtl = b.sessionTtl;
        this.maxReplay = b.maxReplay;
    }

    public static Builder newBuilder(StreamStore store, SessionStore sessions) {
        return new Builder(store, sessions);
    }

    public StreamStore store() { return store; }
    public SessionStore sessions() { return sessions; }
    public BiPredicate<String, String> durable() { return durable; }
    public BiFunction<String, String, String> streamName() { return streamName; }
    public Duration sessionTtl() { return sessionTtl; }
    public int maxReplay() { return maxReplay; }

    /** The sequence stream of a namespace, whose positions are its recovery offsets. */
    public static String sequenceStream(String namespace) {
        return namespace;
    }

    /** Opens the shared state. Close the result after the Socket.IO server. */
    public Opened open() {
        return new DurableState(this);
    }

    /**
     * A durable room's stored event, as read back from its stream (for a history API).
     *
     * @param recoveryOffset the Socket.IO recovery offset it was delivered with
     * @param data           {@code [event, ...args]} without the offset
     */
    public record StoredEvent(String recoveryOffset, com.fasterxml.jackson.databind.node.ArrayNode data) {}

    private static final com.fasterxml.jackson.databind.ObjectMapper MAPPER = new com.fasterxml.jackson.databind.ObjectMapper();

    /**
     * Decodes a payload this backend stored in a durable room's stream.
     *
     * @throws IllegalArgumentException when it is not such a payload
     */
    public static StoredEvent decode(byte[] payload) {
        try {
            com.fasterxml.jackson.databind.JsonNode env = MAPPER.readTree(payload);
            if (env == null || !env.path("d").isArray() || !env.path("g").canConvertToLong()) {
                throw new IllegalArgumentException("not a recovery envelope");
            }
            return new StoredEvent(Long.toString(env.path("g").asLong()),
                    (com.fasterxml.jackson.databind.node.ArrayNode) env.path("d"));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("not a recovery envelope: " + e.getMessage(), e);
        }
    }

    /** The factory for {@code RecoveryConfig.Builder#backend}, and the owner of the shared state. */
    public interface Opened extends RecoveryBackend.Factory, AutoCloseable {
        @Override
        void close();
    }

    /** Validating builder. */
    public static final class Builder {
        private final StreamStore store;
        private final SessionStore sessions;
        private BiPredicate<String, String> durable = (ns, room) -> false;
        private BiFunction<String, String, String> streamName = (ns, room) -> ns + '#' + room;
        private Duration sessionTtl = Duration.ofDays(1);
        private int maxReplay = 10_000;

        private Builder(StreamStore store, SessionStore sessions) {
            this.store = Objects.requireNonNull(store, "store");
            this.sessions = Objects.requireNonNull(sessions, "sessions");
        }

        /** Which (namespace, room) pairs are durable; default none. */
        public Builder durable(BiPredicate<String, String> durable) {
            this.durable = Objects.requireNonNull(durable, "durable");
            return this;
        }

        /**
         * The stream of a durable room; default {@code namespace#room} (as the core's {@code DurableRooms}).
         * It must never equal a {@linkplain #sequenceStream sequence stream}.
         */
        public Builder streamName(BiFunction<String, String, String> streamName) {
            this.streamName = Objects.requireNonNull(streamName, "streamName");
            return this;
        }

        /** How long a disconnected session stays recoverable (its events are bounded by retention); default 1 day. */
        public Builder sessionTtl(Duration ttl) {
            Objects.requireNonNull(ttl, "sessionTtl");
            if (ttl.isNegative() || ttl.isZero()) {
                throw new IllegalArgumentException("sessionTtl must be > 0, was " + ttl);
            }
            this.sessionTtl = ttl;
            return this;
        }

        /**
         * Most events replayed to one reconnecting socket; a client that missed more is told its history
         * was truncated (bounds the memory a restore holds). Default 10 000; 1..1 000 000.
         */
        public Builder maxReplay(int max) {
            if (max < 1 || max > 1_000_000) {
                throw new IllegalArgumentException("maxReplay must be within 1..1000000, got " + max);
            }
            this.maxReplay = max;
            return this;
        }

        public DurableRecovery build() {
            return new DurableRecovery(this);
        }
    }
}
