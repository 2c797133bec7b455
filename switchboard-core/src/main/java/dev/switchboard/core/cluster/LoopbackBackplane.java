package dev.switchboard.core.cluster;

import dev.switchboard.core.spi.Backplane;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's membership of a {@link LoopbackHub}. Inbound frames run on a single thread of its own
 * (so one receiver call at a time, in order per sender), queued up to {@link LoopbackHub#INBOUND_CAPACITY}.
 */
final class LoopbackBackplane implements Backplane {

    private static final Logger log = LoggerFactory.getLogger(LoopbackBackplane.class);

    private final LoopbackHub hub;
    /** Set while started; the state a start/stop pair changes. */
    private volatile String nodeId;
    private volatile Receiver receiver;
    private volatile ThreadPoolExecutor inbound;
    private volatile Set<String> peers = Set.of();

    LoopbackBackplane(LoopbackHub hub) {
        this.hub = hub;
    }

    @Override
    public synchronized void start(String nodeId, Receiver receiver) {
        if (this.nodeId != null) {
            throw new IllegalStateException("already started as " + this.nodeId);
        }
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(LoopbackHub.INBOUND_CAPACITY), r -> {
                    Thread t = new Thread(r, "loopback-backplane-" + nodeId);
                    t.setDaemon(true);
                    return t;
                });
        this.receiver = receiver;
        this.inbound = pool;
        this.nodeId = nodeId;
        hub.join(nodeId, this);
    }

    @Override
    public void broadcast(byte[] frame) {
        String me = nodeId;
        if (me != null) {
            hub.broadcast(me, frame);
        }
    }

    @Override
    public void send(String to, byte[] frame) {
        String me = nodeId;
        if (me != null) {
            hub.send(me, to, frame);
        }
    }

    @Override
    public Set<String> peers() {
        return peers;
    }

    @Override
    public synchronized void stop() {
        String me = nodeId;
        if (me == null) {
            return;
        }
        nodeId = null;
        peers = Set.of();
        hub.leave(me, this);
        ThreadPoolExecutor pool = inbound;
        pool.shutdownNow();
        try {
            pool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void members(Set<String> all) {
        String me = nodeId;
        if (me == null) {
            return;
        }
        Set<String> others = new HashSet<>(all);
        others.remove(me);
        peers = Set.copyOf(others);
    }

    void enqueue(String from, byte[] frame) {
        run(() -> receiver.receive(from, frame));
    }

    void peerLeft(String node) {
        run(() -> receiver.peerLeft(node));
    }

    void fail(Throwable cause) {
        Receiver r = receiver;
        stop();
        if (r != null) {
            r.failed(cause);
        }
    }

    private void run(Runnable task) {
        ThreadPoolExecutor pool = inbound;
        if (pool == null || nodeId == null) {
            return;
        }
        try {
            pool.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.warn("loopback backplane of node {}: receiver failed: {}", nodeId, e.toString());
                }
            });
        } catch (RejectedExecutionException e) {
            if (!pool.isShutdown()) {
                hub.countDrop();
                log.warn("loopback backplane of node {}: inbound queue full ({} frames), frame dropped", nodeId,
                        LoopbackHub.INBOUND_CAPACITY);
            }
        }
    }
}
