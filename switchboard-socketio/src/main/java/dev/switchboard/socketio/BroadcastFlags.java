package dev.switchboard.socketio;

import dev.switchboard.core.message.MessageId;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The immutable state of a {@link BroadcastOperator}. {@code timeout} null means none set; {@code messageId}
 * null means the fabric message gets a fresh one; {@code compress} is socket.io's flag (default true:
 * compressed where the connection negotiated it).
 */
record BroadcastFlags(Set<String> rooms, Set<String> except, boolean isVolatile, boolean local, Duration timeout,
                      MessageId messageId, boolean compress) {

    static final BroadcastFlags ALL = new BroadcastFlags(Set.of(), Set.of(), false, false, null, null, true);

    BroadcastFlags(Set<String> rooms, Set<String> except, boolean isVolatile, boolean local, Duration timeout) {
        this(rooms, except, isVolatile, local, timeout, null, true);
    }

    BroadcastFlags {
        rooms = Set.copyOf(rooms);
        except = Set.copyOf(except);
    }

    BroadcastFlags to(String... more) {
        return new BroadcastFlags(union(rooms, more), except, isVolatile, local, timeout, messageId, compress);
    }

    BroadcastFlags except(String... more) {
        return new BroadcastFlags(rooms, union(except, more), isVolatile, local, timeout, messageId, compress);
    }

    BroadcastFlags asVolatile() {
        return new BroadcastFlags(rooms, except, true, local, timeout, messageId, compress);
    }

    BroadcastFlags asLocal() {
        return new BroadcastFlags(rooms, except, isVolatile, true, timeout, messageId, compress);
    }

    BroadcastFlags withTimeout(Duration t) {
        if (t == null || t.isNegative()) {
            throw new IllegalArgumentException("timeout must be >= 0, was " + t);
        }
        return new BroadcastFlags(rooms, except, isVolatile, local, t, messageId, compress);
    }

    BroadcastFlags withMessageId(MessageId id) {
        return new BroadcastFlags(rooms, except, isVolatile, local, timeout, java.util.Objects.requireNonNull(id, "id"), compress);
    }

    BroadcastFlags compressed(boolean c) {
        return new BroadcastFlags(rooms, except, isVolatile, local, timeout, messageId, c);
    }

    private static Set<String> union(Set<String> a, String[] b) {
        Set<String> s = new LinkedHashSet<>(a);
        for (String r : b) {
            if (r == null) {
                throw new IllegalArgumentException("room must not be null");
            }
        }
        s.addAll(List.of(b));
        return s;
    }
}
