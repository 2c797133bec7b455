package dev.switchboard.mqtt;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every session of this gateway by client id, online or offline, and the hand-over of a session from one
 * owner to the next (see {@link Session}): takeover by a new connection with the same client id (MQTT
 * 3.1.1 3.1.4-2, 5.0 3.1.4-3), a connection ending (the session goes offline or ends), expiry, clean start.
 *
 * <p>Threading: ownership changes run under one lock, briefly (no I/O inside); the store writes they start
 * run after it. Every store write of the gateway is {@linkplain #track tracked}, so a shutdown can wait for
 * them.
 */
final class Sessions {

    private static final Logger log = LoggerFactory.getLogger(Sessions.class);

    /** What a CONNECT found: the session to use and how to take it from its previous owner. */
    record Attach(Session session, boolean present, MqttConnection previousConnection, OfflineSubscriber previousOffline,
            CompletableFuture<Void> ownerDone, CompletableFuture<Void> previous, CompletableFuture<Void> mine,
            Session discarded) {}

    /** What became of a session when its connection ended. */
    enum Detach { TAKEN_OVER, ENDED, OFFLINE }

    private final MqttStore store;
    private final ConcurrentHashMap<String, Session> byId = new ConcurrentHashMap<>();
    private final Object lock = new Object();
    /** Discards of ended sessions still deleting their stored data; a new session of the id waits for them. */
    private final Map<String, CompletableFuture<Void>> ending = new HashMap<>();
    private final Set<CompletableFuture<?>> writes = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<String, DelayedWill> wills = new ConcurrentHashMap<>();

    private record DelayedWill(Runnable publish, io.netty.util.concurrent.ScheduledFuture<?> timer) {}

    Sessions(MqttStore store) {
        this.store = store;
    }

    /** Whether sessions can outlive their connection here (a store is configured). */
    boolean persistenceAvailable() {
        return store != null;
    }

    /**
     * Makes {@code c} the owner of the session of {@code clientId}: the existing one unless {@code cleanStart}
     * (which discards it), else a new one. The caller must close {@link Attach#previousConnection} or stop
     * {@link Attach#previousOffline} (completing {@link Attach#ownerDone}), and touch the session only once
     * {@link Attach#previous} has completed; it completes {@link Attach#mine} when it lets go.
     */
    Attach attach(String clientId, MqttConnection c, boolean cleanStart) {
        DelayedWill will = wills.remove(clientId);
        if (will != null && will.timer().cancel(false) && cleanStart) {
            will.publish().run(); // the session it waited on ends now
        }
        synchronized (lock) {
            Session s = byId.get(clientId);
            MqttConnection oldConnection = s == null ? null : s.connection;
            OfflineSubscriber oldOffline = s == null ? null : s.offline;
            CompletableFuture<Void> previous;
            CompletableFuture<Void> ownerDone = s == null ? CompletableFuture.completedFuture(null) : s.handedOver;
            boolean present = s != null && !cleanStart;
            Session discarded = null;
            if (present) {
                previous = s.handedOver;
            } else {
                previous = ending.getOrDefault(clientId, CompletableFuture.completedFuture(null));
                if (s != null) {
                    s.ended = true;
                    s.connection = null;
                    s.offline = null;
                    previous = discardLocked(s, s.handedOver);
                    discarded = s;
                }
                s = new Session(clientId);
                byId.put(clientId, s);
            }
            CompletableFuture<Void> mine = new CompletableFuture<>();
            s.connection = c;
            s.offline = null;
            s.handedOver = mine;
            return new Attach(s, present, oldConnection, oldOffline, ownerDone, previous, mine, discarded);
        }
    }

    /**
     * {@code c}'s connection ended. {@code offline} builds the offline subscriber that becomes the owner
     * when the session is persistent and {@code c} still owned it; its hand-over future is returned
     * through the session.
     */
    Detach detach(Session s, MqttConnection c, CompletableFuture<Void> mine, Supplier<OfflineSubscriber> offline) {
        synchronized (lock) {
            if (s.connection != c) {
                return Detach.TAKEN_OVER;
            }
            s.connection = null;
            if (!s.persistent() || store == null) {
                s.ended = true;
                byId.remove(s.clientId, s);
                if (store != null && s.inStore) {
                    discardLocked(s, mine);
                }
                return Detach.ENDED;
            }
            s.offline = offline.get();
            s.handedOver = new CompletableFuture<>();
            return Detach.OFFLINE;
        }
    }

    /** The offline session's expiry passed: ends it if {@code o} still owns it. */
    boolean expire(Session s, OfflineSubscriber o) {
        synchronized (lock) {
            if (s.offline != o) {
                return false;
            }
            s.offline = null;
            s.ended = true;
            byId.remove(s.clientId, s);
            return true;
        }
    }

    /** Deletes an ended session's stored state and queue once {@code after} completes. */
    void discard(Session s, CompletableFuture<Void> after) {
        synchronized (lock) {
            discardLocked(s, after);
        }
    }

    private CompletableFuture<Void> discardLocked(Session s, CompletableFuture<Void> after) {
        if (store == null) {
            return after;
        }
        String id = s.clientId;
        CompletableFuture<Void> before = ending.getOrDefault(id, CompletableFuture.completedFuture(null));
        CompletableFuture<Void> done = CompletableFuture.allOf(before, after)
                .thenCompose(v -> store.purge(id).toCompletableFuture())
                .thenCompose(n -> store.removeSession(id).toCompletableFuture())
                .exceptionally(t -> {
                    log.warn("MQTT session of client {}: its stored state could not be deleted: {}", id, t.toString());
                    return null;
                });
        ending.put(id, done);
        done.whenComplete((v, t) -> {
            synchronized (lock) {
                ending.remove(id, done);
            }
        });
        track(done);
        return done;
    }

    /** A session read from the store at start-up, offline: {@code offline} becomes its owner. */
    void restore(Session s, OfflineSubscriber offline) {
        s.subscriptionCount = s.subs.size();
        synchronized (lock) {
            s.inStore = true;
            s.offline = offline;
            byId.put(s.clientId, s);
        }
    }

    /**
     * A will whose v5 Will Delay Interval runs: published by {@code timer} unless a connection resumes the
     * session first ({@link #attach} cancels it), or at once when a clean start ends that session.
     */
    void delayWill(String clientId, Runnable publish, io.netty.util.concurrent.ScheduledFuture<?> timer) {
        DelayedWill w = new DelayedWill(publish, timer);
        DelayedWill old = wills.put(clientId, w);
        if (old != null && old.timer().cancel(false)) {
            old.publish().run();
        }
        timer.addListener(f -> wills.remove(clientId, w));
    }

    /** Stops every offline session's queuing (the gateway stops); completes when their writes have. */
    CompletableFuture<Void> stopOffline() {
        List<CompletableFuture<Void>> stops = new ArrayList<>();
        for (Session s : byId.values()) {
            OfflineSubscriber o = s.offline;
            if (o != null) {
                CompletableFuture<Void> stopped = new CompletableFuture<>();
                o.executor().execute(() -> o.stop().whenComplete((v, t) -> stopped.complete(null)));
                stops.add(stopped);
            }
        }
        return CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new));
    }

    /** Keeps {@code write} until it completes, for {@link #drain}. */
    <T> CompletionStage<T> track(CompletionStage<T> write) {
        CompletableFuture<T> f = write.toCompletableFuture();
        if (!f.isDone()) {
            writes.add(f);
            f.whenComplete((v, t) -> writes.remove(f));
        }
        return f;
    }

    /** Completes when every write tracked so far has completed (successfully or not). */
    CompletableFuture<Void> drain() {
        return CompletableFuture.allOf(writes.stream().map(f -> f.handle((v, t) -> null))
                .toArray(CompletableFuture[]::new));
    }

    MqttStore store() {
        return store;
    }

    /** A snapshot of every session, for the admin view. */
    List<MqttClientInfo> snapshot() {
        List<MqttClientInfo> out = new ArrayList<>();
        for (Session s : byId.values()) {
            boolean connected = s.connection != null;
            out.add(new MqttClientInfo(s.clientId, connected, s.protocol, connected ? s.address : "",
                    s.subscriptionCount, s.stored.get(), s.expirySeconds));
        }
        return out;
    }

    /** Sessions with a connected client. */
    int online() {
        int n = 0;
        for (Session s : byId.values()) {
            if (s.connection != null) {
                n++;
            }
        }
        return n;
    }

    /** Persistent sessions whose client is away. */
    int offline() {
        int n = 0;
        for (Session s : byId.values()) {
            if (s.offline != null) {
                n++;
            }
        }
        return n;
    }

    int size() {
        return online();
    }
}
