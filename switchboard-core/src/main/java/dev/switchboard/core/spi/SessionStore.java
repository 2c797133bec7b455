package dev.switchboard.core.spi;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Connection state recovery sessions by private session id: what a protocol keeps of a disconnected
 * client (its id, rooms, data, where it joined each room) so that a later connection, on this node or
 * another one sharing the store, can restore it. The state is opaque bytes; the protocol encodes it.
 *
 * <p>Each saved state expires {@code ttl} after it was saved: a load after that finds nothing, and
 * the store removes it eventually (bounded by its own sweep interval).
 *
 * <p>Threading: safe from any thread, never blocks the caller. Operations on one id take effect in
 * call order.
 */
public interface SessionStore extends AutoCloseable {

    /** Stores (replaces) the state of {@code sessionId}; completes once written under the store's policy. */
    CompletionStage<Void> save(String sessionId, byte[] state, Duration ttl);

    /** The state of {@code sessionId}, empty when unknown or expired. */
    CompletionStage<Optional<byte[]>> load(String sessionId);

    /**
     * Loads and removes in one step: of several concurrent takes of one id at most one gets the
     * state (a session is restored once).
     */
    CompletionStage<Optional<byte[]>> take(String sessionId);

    /** Removes the state of {@code sessionId}; removing an unknown id completes normally. */
    CompletionStage<Void> remove(String sessionId);

    @Override
    void close();
}
