package dev.switchboard.core.routing;

import dev.switchboard.core.routing.SubscriptionRegistry.Batch;
import dev.switchboard.core.routing.SubscriptionRegistry.Batches;
import io.netty.buffer.ByteBufAllocator;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-process {@link Router}: a {@link SubscriptionRegistry} plus encode-once fan-out.
 *
 * <p>Publishing runs on the caller's thread: resolve (lock-free), note the wire formats the resolved
 * subscribers need, encode once per format, then hand one {@link FanOut} task per event loop. Order per
 * publisher and space holds because a thread's tasks reach each event loop in submission order and an
 * event loop runs its tasks in order; a task is always submitted, never run inline even when the
 * publisher is itself that loop, so a later publication cannot overtake an earlier queued one.
 *
 * <p>Reference counting: each encoding starts at 1 (owned here), is retained once per event-loop task
 * that may use it, and this method releases its own reference once all tasks are handed off. A task
 * releases its references when it has run, or here when its loop refused it.
 */
final class LocalRouter implements Router {

    private static final Logger log = LoggerFactory.getLogger(LocalRouter.class);

    private final SubscriptionRegistry registry = new SubscriptionRegistry();
    private final ByteBufAllocator alloc;
    private final RoutingMetrics metrics;

    LocalRouter(RouterConfig config) {
        this.alloc = config.allocator();
        this.metrics = config.metrics();
    }

    @Override
    public void subscribe(String space, String room, Subscriber subscriber) {
        registry.subscribe(Objects.requireNonNull(space, "space"), Objects.requireNonNull(room, "room"),
                Objects.requireNonNull(subscriber, "subscriber"));
    }

    @Override
    public void attach(String space, Subscriber subscriber) {
        registry.attach(Objects.requireNonNull(space, "space"), Objects.requireNonNull(subscriber, "subscriber"));
    }

    @Override
    public void unsubscribe(String space, String room, Subscriber subscriber) {
        registry.unsubscribe(space, room, subscriber);
    }

    @Override
    public void subscribePattern(String space, String filter, Subscriber subscriber) {
        registry.subscribePattern(Objects.requireNonNull(space, "space"), TopicFilter.of(filter).value(),
                Objects.requireNonNull(subscriber, "subscriber"));
    }

    @Override
    public void unsubscribePattern(String space, String filter, Subscriber subscriber) {
        registry.unsubscribePattern(space, TopicFilter.of(filter).value(), subscriber);
    }

    @Override
    public void detach(String space, Subscriber subscriber) {
        registry.detach(space, subscriber);
    }

    @Override
    public Set<String> roomsOf(String space, Subscriber subscriber) {
        return registry.roomsOf(space, subscriber);
    }

    @Override
    public Set<String> patternsOf(String space, Subscriber subscriber) {
        return registry.patternsOf(space, subscriber);
    }

    @Override
    public Set<String> rooms(String space) {
        return registry.rooms(space);
    }

    /** Spaces with at least one subscriber; a snapshot (tests use it to show nothing is left behind). */
    Set<String> spaces() {
        return registry.spaces();
    }

    @Override
    public Set<Subscriber> resolve(Publication publication) {
        Batches batches = resolveBatches(publication);
        Set<Subscriber> out = new HashSet<>();
        for (int i = 0; i < batches.count; i++) {
            Batch b = batches.batches[i];
            for (int j = 0; j < b.size; j++) {
                if (!batches.skips(b.subscribers[j])) {
                    out.add(b.subscribers[j]);
                }
            }
        }
        return out;
    }

    private Batches resolveBatches(Publication p) {
        return registry.resolve(p.space(), p.to(), p.except(), p.exceptIds());
    }

    @Override
    public CompletionStage<Integer> publish(Publication publication) {
        Batches batches = resolveBatches(publication);
        int total = batches.subscriberCount();
        if (total == 0) {
            published(publication.space(), 0, 0);
            return CompletableFuture.completedFuture(0);
        }
        WireFormat[] formats;
        EncodedMessage[] encoded = null;
        try {
            formats = formatsOf(batches);
            encoded = new EncodedMessage[formats.length];
            for (int i = 0; i < formats.length; i++) {
                EncodedMessage m = publication.encoder().encode(formats[i], alloc);
                if (m == null || m.format() != formats[i]) {
                    if (m != null) {
                        m.release();
                    }
                    throw new IllegalStateException("encoder returned " + (m == null ? "null" : m.format().name())
                            + " for wire format " + formats[i].name());
                }
                encoded[i] = m;
            }
        } catch (RuntimeException e) {
            if (encoded != null) {
                releaseAll(encoded);
            }
            log.warn("publication to space {} not delivered: {}", publication.space(), e.toString());
            return CompletableFuture.failedFuture(e);
        }
        try {
            for (int i = 0; i < batches.count; i++) {
                Batch b = batches.batches[i];
                if (b.size == 0) {
                    continue;
                }
                for (EncodedMessage m : encoded) {
                    m.retain();
                }
                FanOut task = new FanOut(b, batches.skipIds, encoded, publication.isVolatile(), metrics);
                try {
                    b.loop.execute(task);
                } catch (RejectedExecutionException e) {
                    // The loop is shutting down: its channels are closing, so the outcome is "rejected".
                    task.abandon();
                }
            }
        } finally {
            releaseAll(encoded);
        }
        published(publication.space(), total, formats.length);
        return CompletableFuture.completedFuture(total);
    }

    /**
     * The distinct wire formats of the resolved subscribers, read once each on this thread; when there
     * is more than one, each batch records per subscriber which encoding it gets.
     */
    private static WireFormat[] formatsOf(Batches batches) {
        WireFormat[] formats = new WireFormat[1];
        int n = 0;
        for (int i = 0; i < batches.count; i++) {
            Batch b = batches.batches[i];
            for (int j = 0; j < b.size; j++) {
                if (batches.skips(b.subscribers[j])) {
                    continue; // excluded: needs no encoding (its format index is never read)
                }
                WireFormat f = Objects.requireNonNull(b.subscribers[j].wireFormat(), "wireFormat");
                int idx = indexOf(formats, n, f);
                if (idx < 0) {
                    if (n == formats.length) {
                        formats = java.util.Arrays.copyOf(formats, n + 2);
                    }
                    if (n == Byte.MAX_VALUE) {
                        throw new IllegalStateException("more than " + Byte.MAX_VALUE + " wire formats");
                    }
                    formats[n] = f;
                    idx = n++;
                    if (idx == 1) {
                        // The second format appears: earlier subscribers all had format 0.
                        for (int k = 0; k < batches.count; k++) {
                            batches.batches[k].format = new byte[batches.batches[k].subscribers.length];
                        }
                    }
                }
                if (b.format != null) {
                    b.format[j] = (byte) idx;
                }
            }
        }
        return n == formats.length ? formats : java.util.Arrays.copyOf(formats, n);
    }

    private static int indexOf(WireFormat[] formats, int n, WireFormat f) {
        for (int i = 0; i < n; i++) {
            if (formats[i] == f) {
                return i;
            }
        }
        return -1;
    }

    private static void releaseAll(EncodedMessage[] encoded) {
        for (EncodedMessage m : encoded) {
            if (m != null) {
                m.release();
            }
        }
    }

    private void published(String space, int subscribers, int encodings) {
        try {
            metrics.published(space, subscribers, encodings);
        } catch (RuntimeException e) {
            log.warn("routing metrics hook failed: {}", e.toString());
        }
    }
}
