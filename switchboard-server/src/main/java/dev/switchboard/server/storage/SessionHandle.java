package dev.switchboard.server.storage;

import dev.switchboard.core.spi.SessionStore;
import dev.switchboard.core.spi.StoreException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;

/** The session store as its users see it: each call goes to the store open now, or fails at once (CLOSED). */
final class SessionHandle implements SessionStore {

    private final Supplier<? extends SessionStore> current;

    SessionHandle(Supplier<? extends SessionStore> current) {
        this.current = current;
    }

    private <T> CompletionStage<T> call(Function<SessionStore, CompletionStage<T>> op) {
        SessionStore s = current.get();
        if (s == null) {
            return CompletableFuture.failedFuture(
                    new StoreException(StoreException.Reason.CLOSED, "the session store is not open (starting or restarting)"));
        }
        return op.apply(s);
    }

    @Override
    public CompletionStage<Void> save(String sessionId, byte[] state, Duration ttl) {
        return call(s -> s.save(sessionId, state, ttl));
    }

    @Override
    public CompletionStage<Optional<byte[]>> load(String sessionId) {
        return call(s -> s.load(sessionId));
    }

    @Override
    public CompletionStage<Optional<byte[]>> take(String sessionId) {
        return call(s -> s.take(sessionId));
    }

    @Override
    public CompletionStage<Void> remove(String sessionId) {
        return call(s -> s.remove(sessionId));
    }

    @Override
    public void close() {
        // Its component closes the store.
    }
}
