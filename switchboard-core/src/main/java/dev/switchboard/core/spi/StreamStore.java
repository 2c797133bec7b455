package dev.switchboard.core.spi;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Durable, ordered log per stream (a durable room) with offsets that only grow: the role Kafka plays
 * in a cluster, played on one node by the embedded store.
 *
 * <p>Offsets start at 0 per stream and are dense (each append takes the next one). Retention may drop
 * the oldest entries; a read from below {@link ReadResult#firstOffset()} says so through
 * {@link ReadResult#truncated()}, never by silently skipping.
 *
 * <p>Threading: every method is safe to call from any thread and never blocks the caller; I/O runs on
 * the store's own threads and the stages complete there.
 */
public interface StreamStore extends AutoCloseable {

    /**
     * Appends one message. The stage completes with its offset once the write is durable under the
     * store's durability policy (written to the OS, or fsynced), and fails if it could not be stored.
     */
    CompletionStage<Long> append(String stream, byte[] payload);

    /** Reads up to {@code max} messages with offsets {@code >= fromOffset}, in offset order. */
    CompletionStage<ReadResult> read(String stream, long fromOffset, int max);

    /** Reads up to {@code max} messages appended at or after {@code epochMillis}, in offset order. */
    CompletionStage<ReadResult> readFromTime(String stream, long epochMillis, int max);

    /** The offset the next append will get (0 for an empty or unknown stream). */
    CompletionStage<Long> nextOffset(String stream);

    @Override
    void close();

    /** One stored message. {@code payload} is owned by the reader. */
    record StoredMessage(String stream, long offset, long timestampMillis, byte[] payload) {}

    /**
     * @param messages   in offset order, without gaps
     * @param firstOffset the oldest offset still retained
     * @param nextOffset the offset after the last one stored
     * @param truncated  the requested start was older than {@code firstOffset}: messages were lost to retention
     */
    record ReadResult(List<StoredMessage> messages, long firstOffset, long nextOffset, boolean truncated) {}
}
