package dev.switchboard.core.routing;

import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One publication's share for one event loop: for each subscriber of the batch, deliver, then
 * flush it if it accepted. Runs on {@code batch.loop}; holds one reference to each encoding and
 * releases them when done. Allocates nothing per subscriber.
 */
final class FanOut implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(FanOut.class);

    private final Batch batch;
    /** Ids excluded by the publication but still in the (shared) batch; null when none. */
    private final Set<String> skipIds;
    private final EncodedMessage[] encoded;
    private final boolean isVolatile;
    /** Null unless the message asks for acknowledgements. */
    private final AckSink acks;
    private final RoutingMetrics metrics;

    /** {@code encoded[i]} is null for a format that could not be rendered: its subscribers are skipped. */
    FanOut(Batch batch, Set<String> skipIds, EncodedMessage[] encoded, boolean isVolatile, AckSink acks,
            RoutingMetrics metrics) {
        this.batch = batch;
        this.skipIds = skipIds;
        this.encoded = encoded;
        this.isVolatile = isVolatile;
        this.acks = acks;
        this.metrics = metrics;
    }

    @Override
    public void run() {
        Subscriber[] subs = batch.subscribers;
        byte[] format = batch.format;
        int n = batch.size;
        int written = 0;
        int dropped = 0;
        int rejected = 0;
        try {
            for (int i = 0; i < n; i++) {
                Subscriber s = subs[i]; // the array may be a shared snapshot: read only
                if (skipIds != null && skipIds.contains(s.id())) {
                    continue;
                }
                EncodedMessage m = encoded[format == null ? 0 : format[i]];
                if (m == null) {
                    continue; // unrenderable: counted by the publisher
                }
                Subscriber.Delivery d;
                try {
                    d = acks == null ? s.deliver(m, isVolatile) : s.deliver(m, isVolatile, acks);
                } catch (RuntimeException e) {
                    log.warn("subscriber {} failed to take a publication: {}", s.id(), e.toString());
                    d = Subscriber.Delivery.REJECTED;
                }
                if (d == Subscriber.Delivery.WRITTEN) {
                    written++;
                    flush(s);
                } else if (d == Subscriber.Delivery.DROPPED_VOLATILE) {
                    dropped++;
                } else {
                    rejected++;
                }
            }
        } finally {
            releaseEncoded();
            report(written, dropped, rejected);
        }
    }

    /**
     * Flushed right after its write, not after the whole batch: one flush per subscriber either way,
     * but a socket that takes the bytes at once releases its duplicate before the next subscriber's
     * is made, so a pooled duplicate is recycled instead of N of them being alive together (past the
     * recycler's per-thread capacity, 4096 by default, every duplicate would be a new object).
     */
    private static void flush(Subscriber s) {
        try {
            s.flush();
        } catch (RuntimeException e) {
            log.warn("subscriber {} failed to flush: {}", s.id(), e.toString());
        }
    }

    /** Called instead of {@link #run()} when the loop refused the task. */
    void abandon() {
        releaseEncoded();
        int rejected = 0;
        for (int i = 0; i < batch.size; i++) {
            boolean skipped = skipIds != null && skipIds.contains(batch.subscribers[i].id());
            if (!skipped && encoded[batch.format == null ? 0 : batch.format[i]] != null) {
                rejected++;
            }
        }
        report(0, 0, rejected);
    }

    private void releaseEncoded() {
        for (EncodedMessage m : encoded) {
            if (m != null) {
                m.release();
            }
        }
    }

    private void report(int written, int dropped, int rejected) {
        try {
            metrics.delivered(written, dropped, rejected);
        } catch (RuntimeException e) {
            log.warn("routing metrics hook failed: {}", e.toString());
        }
    }
}
