package dev.switchboard.mqtt;

import dev.switchboard.core.routing.EncodedMessage;
import dev.switchboard.core.routing.Subscriber;
import dev.switchboard.core.routing.WireFormat;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stands in the fabric for a persistent session whose client is away: subscribed with the session's
 * filters, it queues each QoS 1/2 publication they match in the store, at the QoS the client will get
 * it with. QoS 0 publications are not queued (MQTT 5.0 3.1.2-23 leaves it to the server; like Mosquitto's
 * default, we do not).
 *
 * <p>Bounded by {@link MqttConfig#maxQueued()} publications in the store per session; past it
 * {@link MqttConfig.QueueOverflow} decides (the newest refused, or the oldest dropped), counted as
 * dropped {@code offline_queue_full}. Ends the session when its expiry interval has passed.
 *
 * <p>Threading: {@link #deliver} runs on {@link #executor()}, as does {@link #start}, {@link #stop} and the
 * expiry timer; store completions only update the atomic counters and the pending-write future.
 */
final class OfflineSubscriber implements Subscriber {

    private static final Logger log = LoggerFactory.getLogger(OfflineSubscriber.class);

    private final Gateway gw;
    private final Session session;
    private final EventExecutor loop;
    private final String id;
    /** Completes when every store write issued so far has completed; chained in call order. */
    private CompletableFuture<Void> writes;
    private ScheduledFuture<?> expiry;
    private boolean stopped;

    OfflineSubscriber(Gateway gw, Session session, EventExecutor loop, CompletableFuture<Void> before) {
        this.gw = gw;
        this.session = session;
        this.loop = loop;
        this.id = "mqtt-offline-" + session.clientId;
        this.writes = before;
    }

    /** Subscribes the session's filters and arms the expiry timer; on {@link #executor()}. */
    void start(long expiresInMillis) {
        // Shared subscriptions are served by the group's connected members only.
        session.subs.forEach((f, sub) -> {
            if (sub.shared() == null) {
                gw.router().subscribePattern(gw.config().namespace(), f, this);
            }
        });
        expiry = loop.schedule(this::expire, Math.max(0, expiresInMillis), TimeUnit.MILLISECONDS);
    }

    /**
     * Leaves the fabric (a client took the session, or the server stops); the returned future completes
     * once every queued write has completed. On {@link #executor()}.
     */
    CompletableFuture<Void> stop() {
        if (!stopped) {
            stopped = true;
            gw.router().detach(gw.config().namespace(), this);
            if (expiry != null) {
                expiry.cancel(false);
            }
        }
        return writes;
    }

    private void expire() {
        if (stopped || !gw.sessions().expire(session, this)) {
            return;
        }
        stop();
        gw.metrics().subscriptions(-session.subs.size());
        log.info("MQTT session of client {} expired after {} s offline", session.clientId, session.expirySeconds);
        gw.sessions().discard(session, writes);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public EventExecutor executor() {
        return loop;
    }

    @Override
    public WireFormat wireFormat() {
        return MqttRenderer.FORMAT;
    }

    @Override
    public Delivery deliver(EncodedMessage message, boolean isVolatile) {
        if (stopped) {
            return Delivery.REJECTED;
        }
        String topic = message.frame(0).toString(StandardCharsets.UTF_8);
        ByteBuf meta = message.frame(2);
        int flags = meta.getByte(meta.readerIndex());
        // The client is away, so nothing published now is its own: No Local never applies here.
        Subscriptions.Grant grant = Subscriptions.grantFor(session.subs, topic, false);
        if (grant == null) {
            return Delivery.DROPPED_VOLATILE;
        }
        int qos = Math.min(flags & 3, grant.qos());
        if (qos == 0) {
            return Delivery.DROPPED_VOLATILE;
        }
        boolean retain = grant.retainAsPublished() && (flags & MqttRenderer.FLAG_RETAIN) != 0;
        byte[] payload = ByteBufUtil.getBytes(message.frame(1));
        byte[] props = message.frameCount() > 3 ? ByteBufUtil.getBytes(message.frame(3)) : V5Properties.NO_BYTES;
        queue(new Session.Publication(topic, payload, qos, retain, 0, props));
        return Delivery.WRITTEN;
    }

    private void queue(Session.Publication p) {
        if (session.stored.get() >= gw.config().maxQueued()) {
            gw.metrics().dropped("offline_queue_full");
            if (gw.config().queueOverflow() == MqttConfig.QueueOverflow.REFUSE_NEWEST) {
                return;
            }
            // Drop the oldest: lease it and ack it; the new one is queued behind that, in order.
            MqttStore store = gw.store();
            writes = writes.thenCompose(v -> store.lease(session.clientId, 1).thenCompose(list -> {
                CompletableFuture<Void> acks = CompletableFuture.completedFuture(null);
                for (MqttStore.Queued q : list) {
                    session.stored.decrementAndGet();
                    acks = acks.thenCompose(x -> store.ack(q).toCompletableFuture());
                }
                return acks;
            })).exceptionally(this::logged);
        }
        session.stored.incrementAndGet();
        CompletableFuture<Void> stored = gw.store().enqueue(session.clientId, p.encode()).toCompletableFuture()
                .handle((id, failure) -> {
                    if (failure != null) {
                        session.stored.decrementAndGet();
                        gw.metrics().dropped("store_failed");
                        logged(failure);
                    }
                    return null;
                });
        writes = writes.thenCombine(stored, (a, b) -> (Void) null);
    }

    private Void logged(Throwable t) {
        log.warn("MQTT session of client {}: a publication could not be queued in the store: {}", session.clientId,
                t.toString());
        return null;
    }

    @Override
    public void flush() {}
}
