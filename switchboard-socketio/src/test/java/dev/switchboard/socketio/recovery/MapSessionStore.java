package dev.switchboard.socketio.recovery;

import dev.switchboard.core.spi.SessionStore;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/** A session store in memory for recovery tests (no expiry: the tests do not wait that long). */
final class MapSessionStore implements SessionStore {

    final Map<String, byte[]> sessions = new ConcurrentHashMap<>();

    @Override
    public CompletionStage<Void> save(String sessionId, byte[] state, Duration ttl) {
        sessions.put(sessionId, state);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Optional<byte[]>> load(String sessionId) {
        return CompletableFuture.completedFuture(Optional.ofNullable(sessions.get(sessionId)));
    }

    @Override
    public CompletionStage<Optional<byte[]>> take(String sessionId) {
        return CompletableFuture.completedFuture(Optional.ofNullable(sessions.remove(sessionId)));
    }

    @Override
    public CompletionStage<Void> remove(String sessionId) {
        sessions.remove(sessionId);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void close() {}
}
