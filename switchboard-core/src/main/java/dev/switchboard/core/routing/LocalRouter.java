package dev.switchboard.core.routing;

import dev.switchboard.core.message.Message;
import io.netty.buffer.ByteBufAllocator;
import java.time.Duration;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-process {@link Router}: a {@link SubscriptionRegistry} plus encode-once fan-out.
 *
 * <p>Publishing runs on the caller's thread: resolve (lock-free), note the wire formats the resolved
 * subscribers need, render once per format with that format's registered {@link MessageRenderer}
 * (a format without one, or whose renderer gives up, is skipped and counted), then hand one
 * {@link FanOut} task per event loop. Order per
 * publisher and space holds because a thread's tasks reach each event loop in submission order and an
 * event loop runs its tasks in order; a task is always submitted, never run inline even when the
 * publisher is itself that loop, so a later publication cannot overtake an earlier queued one.
 *
 * <p>Reference counting: each rendering starts at 1 (owned here), is retained once per event-loop task
 * that may use it, and this method releases its own reference once all tasks are handed off. A task
 * releases its references when it has run, or here when its loop refused it.
 */
final class LocalRouter implements Router {

    private static final Logger log = LoggerFactory.getLogger(LocalRouter.class);

    private final SubscriptionRegistry registry = new SubscriptionRegistry();
    private final ByteBufAllocator alloc;
    private final RoutingMetrics metrics;
    /** Copy-on-write (registrations are rare, lookups once per format per publication); read without locking. */
    private volatile Map<WireFormat, MessageRenderer> renderers = new IdentityHashMap<>();
    private final AtomicLong ackIds = new AtomicLong();

    private final String nodeId;

    LocalRouter(RouterConfig config, String nodeId) {
        this.nodeId = nodeId;
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
    public void register(WireFormat format, MessageRenderer renderer) {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(renderer, "renderer");
        synchronized (this) {
            MessageRenderer old = renderers.get(format);
            if (old == renderer) {
                return;
            }
            if (old != null) {
                throw new IllegalStateException("wire format " + format.name() + " already has a renderer");
            }
            IdentityHashMap<WireFormat, MessageRenderer> next = new IdentityHashMap<>(renderers);
            next.put(format, renderer);
            renderers = next;
        }
    }

    @Override
    public Set<Subscriber> resolve(Message message) {
        Batches batches = resolveBatches(message);
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

    private Batches resolveBatches(Message m) {
        return registry.resolve(m.space(), m.rooms(), m.exceptRooms(), m.exceptIds());
    }

    @Override
    public CompletionStage<Integer> publish(Message message) {
        try {
            return CompletableFuture.completedFuture(deliver(message, null));
        } catch (RuntimeException e) {
            log.warn("message {} to space {} not delivered: {}", message.id(), message.space(), e.toString());
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletionStage<AckResult> publishWithAck(Message message, Duration timeout) {
        AckCollector acks = new AckCollector(nextAckId(), timeout, 1);
        acks.nodeCount(deliverWithAck(message, acks));
        return acks.result();
    }

    /** Delivers {@code message} with {@code acks.ackId()} as its ack id to the local recipients; their number. */
    int deliverWithAck(Message message, AckSink acks) {
        try {
            return deliver(message.toBuilder().ackId(acks.ackId()).build(), acks);
        } catch (RuntimeException e) {
            log.warn("message {} to space {} not delivered: {}", message.id(), message.space(), e.toString());
            return 0;
        }
    }

    /**
     * A new acknowledgement id of this node, in [2^30, 2^31): apart from the per-namespace counters of a
     * protocol's own acks (socket.io counts from 0), and within a Java int, because the official Java
     * client reads ack ids as {@code int}. Ids are only ever compared on this node (a node that receives
     * another's broadcast with acks gives it an id of its own), so no two nodes need to agree; after
     * 2^30 broadcasts with acks the counter wraps, long after any of them timed out.
     */
    long nextAckId() {
        return (1L << 30) | (ackIds.getAndIncrement() & ((1L << 30) - 1));
    }

    /** Alone, there is nobody to ask. */
    @Override
    public CompletionStage<RequestResult> request(RequestType type, Message request, Duration timeout) {
        return CompletableFuture.completedFuture(new RequestResult(java.util.List.of(), 0, true));
    }

    /** Alone, no request ever comes. */
    @Override
    public void handle(String space, RequestHandler handler) {
        Objects.requireNonNull(space, "space");
        Objects.requireNonNull(handler, "handler");
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    /**
     * Resolves, renders once per wire format, hands one {@link FanOut} per event loop; returns the number
     * of subscribers handed the message (unrenderable ones not included). {@code acks}, when not null,
     * is given to each subscriber with the message (a message asking for acknowledgements).
     */
    int deliver(Message message, AckSink acks) {
        Batches batches = resolveBatches(message);
        int total = batches.subscriberCount();
        if (total == 0) {
            published(message.space(), 0, 0);
            return 0;
        }
        WireFormat[] formats = formatsOf(batches);
        EncodedMessage[] encoded = new EncodedMessage[formats.length];
        Map<WireFormat, MessageRenderer> known = renderers;
        int rendered = 0;
        for (int i = 0; i < formats.length; i++) {
            encoded[i] = render(message, formats[i], known.get(formats[i]));
            if (encoded[i] == null) {
                total -= unrenderable(batches, formats, i);
            } else {
                rendered++;
            }
        }
        if (rendered == 0) {
            published(message.space(), 0, 0);
            return 0;
        }
        try {
            for (int i = 0; i < batches.count; i++) {
                Batch b = batches.batches[i];
                if (b.size == 0) {
                    continue;
                }
                for (EncodedMessage m : encoded) {
                    if (m != null) {
                        m.retain();
                    }
                }
                FanOut task = new FanOut(b, batches.skipIds, encoded, message.isVolatile(), acks, metrics);
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
        published(message.space(), total, rendered);
        return total;
    }

    /** The rendering of {@code message} for {@code format}, or null when it has none (logged, not thrown). */
    private EncodedMessage render(Message message, WireFormat format, MessageRenderer renderer) {
        if (renderer == null) {
            return null;
        }
        EncodedMessage m;
        try {
            m = renderer.render(message, format, alloc);
        } catch (RuntimeException e) {
            log.warn("message {} of space {} could not be rendered as {}: {}", message.id(), message.space(),
                    format.name(), e.toString());
            return null;
        }
        if (m != null && m.format() != format) {
            log.warn("renderer for {} returned a message of format {}; skipped", format.name(), m.format().name());
            m.release();
            return null;
        }
        return m;
    }

    /** Counts (and reports) the subscribers of format {@code idx}; rare path, so it walks the batches again. */
    private int unrenderable(Batches batches, WireFormat[] formats, int idx) {
        int n = 0;
        for (int i = 0; i < batches.count; i++) {
            Batch b = batches.batches[i];
            for (int j = 0; j < b.size; j++) {
                if (!batches.skips(b.subscribers[j]) && (b.format == null ? 0 : b.format[j]) == idx) {
                    n++;
                }
            }
        }
        try {
            metrics.unrenderable(formats[idx], n);
        } catch (RuntimeException e) {
            log.warn("routing metrics hook failed: {}", e.toString());
        }
        return n;
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
