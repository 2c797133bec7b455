package dev.switchboard.core.bridge;

import dev.switchboard.core.message.Message;
import dev.switchboard.core.node.ComponentContext;
import dev.switchboard.core.routing.Router;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * One start of a bridge: its context and its inbound window.
 *
 * <p>The window: {@code inFlight} counts messages published and not yet accepted or failed, bounded by
 * {@code capacity}. Reaching the bound pauses the source ({@link Bridge#pauseInbound}) inside the
 * {@code publish} call that filled it; falling to half the bound resumes it. The hysteresis keeps a
 * source at the edge from pausing and resuming on every message. Guarded by {@code this}; the bridge's
 * pause/resume callbacks run under that lock so that they are seen in the order they happened.
 */
final class BridgeIncarnation implements BridgeContext, Inbound {

    private final BridgeRuntime runtime;
    private final ComponentContext component;
    private final Router router;
    private final InboundStorage storage;
    private final BridgeMetrics metrics;
    private final String protocol;
    private final int capacity;
    private final int resumeAt;

    private int inFlight; // guarded by this
    private boolean paused; // guarded by this
    private volatile boolean closed;

    BridgeIncarnation(BridgeRuntime runtime, ComponentContext component, Router router, InboundStorage storage,
                      BridgeMetrics metrics) {
        this.runtime = runtime;
        this.component = component;
        this.router = router;
        this.storage = storage;
        this.metrics = metrics;
        this.protocol = Bridges.protocol(runtime.name());
        this.capacity = runtime.config().inboundMaxInFlight();
        this.resumeAt = capacity / 2;
    }

    @Override
    public String name() {
        return runtime.name();
    }

    @Override
    public int incarnation() {
        return component.incarnation();
    }

    @Override
    public Inbound inbound() {
        return this;
    }

    @Override
    public void fail(Throwable cause) {
        component.fail(cause);
    }

    @Override
    public int capacity() {
        return capacity;
    }

    @Override
    public synchronized int inFlight() {
        return inFlight;
    }

    @Override
    public synchronized boolean paused() {
        return paused;
    }

    void close() {
        closed = true;
    }

    @Override
    public CompletionStage<Accepted> publish(Message message) {
        if (closed) {
            metrics.failed(name(), BridgeMetrics.Direction.IN, BridgeMetrics.Reason.UNAVAILABLE);
            return CompletableFuture.failedFuture(new BridgeStoppedException(name()));
        }
        synchronized (this) {
            if (inFlight >= capacity) {
                metrics.failed(name(), BridgeMetrics.Direction.IN, BridgeMetrics.Reason.FULL);
                return CompletableFuture.failedFuture(new InboundFullException(name(), capacity));
            }
            inFlight++;
            if (inFlight == capacity && !paused) {
                paused = true;
                runtime.bridge().pauseInbound();
            }
        }
        CompletableFuture<Accepted> result = new CompletableFuture<>();
        CompletionStage<Accepted> accepted;
        try {
            Message stamped = message.toBuilder().origin(router.nodeId(), protocol).build();
            accepted = storage.storeAndPublish(stamped, router);
        } catch (RuntimeException e) {
            accepted = CompletableFuture.failedFuture(e);
        }
        accepted.whenComplete((a, error) -> {
            release();
            if (error == null) {
                metrics.accepted(name());
                result.complete(a);
            } else {
                metrics.failed(name(), BridgeMetrics.Direction.IN, BridgeMetrics.Reason.ERROR);
                result.completeExceptionally(error instanceof CompletionException && error.getCause() != null
                        ? error.getCause() : error);
            }
        });
        return result;
    }

    private synchronized void release() {
        inFlight--;
        if (paused && inFlight <= resumeAt) {
            paused = false;
            if (!closed) {
                runtime.bridge().resumeInbound();
            }
        }
    }
}
