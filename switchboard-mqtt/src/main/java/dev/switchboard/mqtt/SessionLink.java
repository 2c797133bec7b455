package dev.switchboard.mqtt;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connection's side of its {@link Session}: taking it over when the previous owner has let go, replaying
 * what was kept (PUBREL due, queued publications from the store with their packet ids and DUP), and, when
 * the connection ends, keeping what the client has not acknowledged so the next connection gets it.
 *
 * <p>Threading: the connection's event loop, like the connection; store completions come back to it
 * through {@code loop.execute}.
 *
 * <p>Order of delivery after a reconnect: the store's queue first (it holds everything older than this
 * connection), live publications held in the connection's queue meanwhile ({@link #draining}); once a
 * lease returns fewer publications than asked, the store's queue is empty for good (while a client is
 * connected, nothing else queues for it) and live publications flow again.
 */
final class SessionLink {

    private static final Logger log = LoggerFactory.getLogger(SessionLink.class);

    private final Gateway gw;
    private final MqttConnection conn;
    final Session session;
    private final Sessions.Attach attach;
    /** While true, QoS 1/2 publications from the fabric wait in the connection's queue behind the store's. */
    boolean draining;
    private boolean leasing;

    SessionLink(Gateway gw, MqttConnection conn, Sessions.Attach attach) {
        this.gw = gw;
        this.conn = conn;
        this.attach = attach;
        this.session = attach.session();
    }

    /** Whether what the session holds outlives this connection. */
    boolean keeps() {
        return gw.store() != null && session.persistent();
    }

    /**
     * Takes the session (the previous owner has let go): subscriptions back into the fabric, PUBREL for
     * QoS 2 ids the client had acknowledged with PUBREC, then the store's queue.
     */
    void resume(long expirySeconds, Outbound outbound) {
        session.expirySeconds = expirySeconds;
        session.protocol = conn.version() == io.netty.handler.codec.mqtt.MqttVersion.MQTT_5 ? "5.0" : "3.1.1";
        session.address = String.valueOf(conn.ctx().channel().remoteAddress());
        session.subscriptionCount = session.subs.size();
        session.disconnectedAt = 0;
        Subscriptions.attach(gw, session.subs, conn);
        for (int id : session.pendingRelease) {
            outbound.reserveReleased(id);
            conn.ctx().write(conn.pubReply(io.netty.handler.codec.mqtt.MqttMessageType.PUBREL, id,
                    MqttConnection.RC_NORMAL));
        }
        if (keeps()) {
            saveState(onlineTtl());
        }
        if (gw.store() != null && (keeps() || session.inStore)) {
            // Also when this connection will not keep the session (v5 expiry 0): it resumed one that was kept.
            draining = true;
            leaseMore(outbound);
        }
        conn.ctx().flush();
    }

    /** While the client is connected the state's expiry is the server's maximum: it only counts once the client leaves. */
    private Duration onlineTtl() {
        return gw.config().maxSessionExpiry();
    }

    /** Saves the session's state (subscriptions changed, or it goes offline); on the loop. */
    CompletableFuture<Void> saveState(Duration ttl) {
        session.inStore = true;
        return gw.sessions().track(gw.store().saveSession(session.clientId, session.encode(), ttl)).toCompletableFuture();
    }

    /** Subscriptions changed: a persistent session's state is saved at once, so a crash keeps them. */
    void subscriptionsChanged() {
        session.subscriptionCount = session.subs.size();
        if (keeps()) {
            saveState(onlineTtl());
        }
    }

    /** Leases from the store as many publications as the window has room for, unless a lease is running. */
    void leaseMore(Outbound outbound) {
        if (!draining || leasing || !outbound.hasRoom()) {
            return;
        }
        leasing = true;
        int n = outbound.room();
        gw.store().lease(session.clientId, n).whenComplete((list, failure) ->
                conn.executor().execute(() -> onLeased(outbound, n, list, failure)));
    }

    private void onLeased(Outbound outbound, int asked, List<MqttStore.Queued> list, Throwable failure) {
        leasing = false;
        if (failure != null) {
            conn.close("its session's queued publications could not be read: " + failure, MqttConnection.RC_UNSPECIFIED);
            return;
        }
        if (!conn.isOpen()) {
            // The connection ended while the lease ran: give them back for the next one.
            for (MqttStore.Queued q : list) {
                gw.sessions().track(gw.store().release(q));
            }
            return;
        }
        for (MqttStore.Queued q : list) {
            Session.Publication p;
            try {
                p = Session.Publication.decode(q.publication());
            } catch (IllegalArgumentException e) {
                log.warn("MQTT client {}: dropping an unreadable queued publication: {}", session.clientId, e.getMessage());
                session.stored.decrementAndGet();
                gw.sessions().track(gw.store().ack(q));
                continue;
            }
            if (V5Properties.decode(p.props()).expired(System.currentTimeMillis())) {
                gw.metrics().dropped("expired");
                session.stored.decrementAndGet();
                gw.sessions().track(gw.store().ack(q));
                continue;
            }
            Outbound.Pending kept = new Outbound.Pending(p.topic(), null, p.qos(), p.retain(), p.props(), q);
            Integer mapped = session.packetIds.remove(q.id());
            int id;
            boolean dup;
            if (mapped != null && outbound.acquire(mapped, kept)) {
                id = mapped;
                dup = true;
            } else if (p.packetId() > 0 && outbound.acquire(p.packetId(), kept)) {
                id = p.packetId();
                dup = true;
            } else {
                id = outbound.acquire(kept);
                dup = q.attempt() > 1 || p.packetId() > 0;
            }
            conn.writePublish(p.topic(), Unpooled.wrappedBuffer(p.payload()), p.qos(), p.retain(), id, dup, p.props());
        }
        conn.ctx().flush();
        if (list.size() < asked) {
            draining = false;
            conn.drainQueue();
        } else {
            leaseMore(outbound);
        }
    }

    /** PUBREC for an outgoing QoS 2 publication: the client has it (4.3.3), only its packet id stays until PUBCOMP. */
    void onPubRec(Outbound outbound, int packetId) {
        Outbound.InFlight f = outbound.received(packetId);
        if (f != null && f.publication != null) {
            if (f.publication.payload() != null) {
                f.publication.payload().release();
            }
            acknowledged(f.publication);
            f.publication = null;
        }
        conn.ctx().writeAndFlush(conn.pubReply(io.netty.handler.codec.mqtt.MqttMessageType.PUBREL, packetId,
                f != null ? MqttConnection.RC_NORMAL : MqttConnection.RC_PACKET_ID_NOT_FOUND));
    }

    /** PUBACK or PUBCOMP: the packet id is free; the next publication (from the store first) may go. */
    void onAck(Outbound outbound, int packetId) {
        Outbound.InFlight f = outbound.complete(packetId);
        if (f == null) {
            return;
        }
        session.pendingRelease.remove(packetId);
        acknowledged(f.publication);
        if (draining) {
            leaseMore(outbound);
        } else {
            conn.drainQueue();
        }
    }

    /** An acknowledged or PUBREC'd publication leased from the store is done with. */
    private void acknowledged(Outbound.Pending p) {
        if (p != null && p.stored() != null) {
            session.stored.decrementAndGet();
            gw.sessions().track(gw.store().ack(p.stored()));
        }
    }

    /**
     * The connection ended: for a persistent session, what the client has not acknowledged goes back to
     * the store in order (in flight first, with their packet ids; then the queue), the state is saved, and
     * the session goes offline (or to the connection that took it over). Otherwise everything is dropped.
     */
    void leave(Outbound outbound) {
        CompletableFuture<Void> saved;
        if (keeps()) {
            CompletableFuture<Void> kept = keep(outbound);
            session.disconnectedAt = System.currentTimeMillis();
            byte[] state = session.encode();
            session.inStore = true;
            saved = kept.thenCompose(v -> gw.store().saveSession(session.clientId, state,
                    Duration.ofSeconds(session.expirySeconds)).toCompletableFuture());
            gw.sessions().track(saved);
        } else {
            if (outbound != null) {
                outbound.clear();
            }
            saved = CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> afterSave = saved.exceptionally(t -> {
            log.warn("MQTT session of client {} could not be stored: {}", session.clientId, t.toString());
            return null;
        });
        Sessions.Detach d = gw.sessions().detach(session, conn, attach.mine(),
                () -> new OfflineSubscriber(gw, session, conn.executor(), afterSave));
        switch (d) {
            case OFFLINE -> {
                session.offline.start(session.expirySeconds * 1000L);
                log.debug("MQTT session of client {} offline for up to {} s", session.clientId, session.expirySeconds);
                attach.mine().complete(null);
            }
            case TAKEN_OVER -> afterSave.whenComplete((v, t) -> attach.mine().complete(null));
            case ENDED -> {
                unsubscribeAll();
                attach.mine().complete(null);
            }
        }
    }

    /** The session ended with the connection: its subscriptions are counted off. */
    private void unsubscribeAll() {
        gw.metrics().subscriptions(-session.subs.size());
    }

    private CompletableFuture<Void> keep(Outbound outbound) {
        if (outbound == null) {
            return CompletableFuture.completedFuture(null);
        }
        MqttStore store = gw.store();
        CompletableFuture<Void> all = CompletableFuture.completedFuture(null);
        for (Map.Entry<Integer, Outbound.InFlight> e : outbound.inFlightEntries()) {
            int id = e.getKey();
            Outbound.InFlight f = e.getValue();
            Outbound.Pending p = f.publication;
            if (f.released) {
                session.pendingRelease.add(id);
            } else if (p == null) {
                continue;
            } else if (p.stored() != null) {
                session.packetIds.put(p.stored().id(), id);
                all = all.thenCombine(store.release(p.stored()), (a, b) -> null);
            } else {
                all = all.thenCombine(enqueue(new Session.Publication(p.topic(), bytes(p.payload()), p.qos(),
                        p.retain(), id, p.props())), (a, b) -> null);
            }
        }
        for (Outbound.Pending p : outbound.drainQueue()) {
            all = all.thenCombine(enqueue(new Session.Publication(p.topic(), bytes(p.payload()), p.qos(), p.retain(),
                    0, p.props())), (a, b) -> null);
            p.payload().release();
        }
        outbound.clear();
        return all;
    }

    private CompletableFuture<Long> enqueue(Session.Publication p) {
        session.stored.incrementAndGet();
        return gw.store().enqueue(session.clientId, p.encode()).toCompletableFuture();
    }

    private static byte[] bytes(ByteBuf b) {
        return ByteBufUtil.getBytes(b);
    }
}
