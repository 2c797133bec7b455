package dev.switchboard.core.bridge;

import dev.switchboard.core.message.Message;
import dev.switchboard.core.message.MessageId;
import dev.switchboard.core.node.Component;
import dev.switchboard.core.node.ComponentContext;
import dev.switchboard.core.routing.Router;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bridge as a supervised {@link Component} plus its outbound side.
 *
 * <p>Threads: {@code start}/{@code stop} run on the component's actor. Every {@link Bridge#send} runs on
 * {@link #outbound}, the bridge's own single thread: fabric deliveries arrive there (it is the outbound
 * subscriber's executor) and client events hop there, so the bridge sees one call at a time, in order.
 * {@link #outFlight} is admitted with a compare-and-set before the hop (so the executor's queue holds at
 * most {@code outbound max-in-flight} client events) and released when the send completes, fails or times
 * out. {@link #current} is the running incarnation, null while stopped or backing off.
 */
final class BridgeRuntime implements Component, BridgeHandle {

    private static final Logger log = LoggerFactory.getLogger(BridgeRuntime.class);

    private final BridgeConfig config;
    private final Bridge bridge;
    private final Router router;
    private final InboundStorage storage;
    private final BridgeMetrics metrics;
    private final Runnable removeComponent;
    private final EventExecutor outbound;
    private final OutboundSubscriber subscriber;
    private final AtomicInteger outFlight = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile BridgeIncarnation current;
    /** Publishers waiting for the confirmation of a fabric message; at most outboundMaxInFlight. */
    private final ConcurrentHashMap<MessageId, CompletableFuture<Void>> watched = new ConcurrentHashMap<>();

    BridgeRuntime(BridgeConfig config, Bridge bridge, Router router, InboundStorage storage, BridgeMetrics metrics,
                  Runnable removeComponent) {
        this.config = config;
        this.bridge = bridge;
        this.router = router;
        this.storage = storage;
        this.metrics = metrics;
        this.removeComponent = removeComponent;
        this.outbound = new DefaultEventExecutor(new DefaultThreadFactory("bridge-" + config.name(), true));
        this.subscriber = new OutboundSubscriber(this, outbound);
        metrics.inFlight(config.name(), this::inboundInFlight, outFlight::get);
    }

    void subscribe() {
        router.register(BridgeFormat.INSTANCE, BridgeFormat.INSTANCE);
        for (OutboundRule rule : config.rules()) {
            router.subscribePattern(rule.space(), rule.roomFilter(), subscriber);
        }
    }

    Bridge bridge() {
        return bridge;
    }

    @Override
    public String name() {
        return config.name();
    }

    @Override
    public BridgeConfig config() {
        return config;
    }

    @Override
    public String componentName() {
        return Bridges.COMPONENT_PREFIX + config.name();
    }

    // ---- Component ----

    @Override
    public void start(ComponentContext context) throws Exception {
        BridgeIncarnation incarnation = new BridgeIncarnation(this, context, router, storage, metrics);
        bridge.start(incarnation);
        current = incarnation;
        log.info("bridge {} up (incarnation {})", name(), context.incarnation());
    }

    @Override
    public void stop() throws Exception {
        BridgeIncarnation incarnation = current;
        current = null;
        if (incarnation != null) {
            incarnation.close();
        }
        bridge.stop();
    }

    // ---- outbound ----

    @Override
    public CompletionStage<Void> send(Message message) {
        return sendWithReceipt(message).thenApply(receipt -> null);
    }

    @Override
    public CompletionStage<Map<String, Object>> sendWithReceipt(Message message) {
        CompletableFuture<Map<String, Object>> result = new CompletableFuture<>();
        if (!admit(result)) {
            return result;
        }
        try {
            outbound.execute(() -> dispatch(message, result));
        } catch (RejectedExecutionException e) {
            outFlight.decrementAndGet();
            unavailable(result);
        }
        return result;
    }

    /** On the outbound thread, for a message of an outbound rule; false if it was not handed to the bridge. */
    boolean dispatchFromFabric(Message message) {
        CompletableFuture<Map<String, Object>> result = new CompletableFuture<>();
        CompletableFuture<Void> watch = watched.isEmpty() ? null : watched.remove(message.id());
        if (watch != null) {
            result.whenComplete((v, e) -> {
                if (e == null) {
                    watch.complete(null);
                } else {
                    watch.completeExceptionally(e);
                }
            });
        }
        if (!admit(result)) {
            return false;
        }
        dispatch(message, result);
        return !result.isCompletedExceptionally();
    }

    @Override
    public CompletionStage<Void> confirmation(MessageId id) {
        CompletableFuture<Void> watch = new CompletableFuture<>();
        if (watched.size() >= config.outboundMaxInFlight()) {
            watch.completeExceptionally(new OutboundFullException(name(), config.outboundMaxInFlight()));
            return watch;
        }
        if (watched.putIfAbsent(id, watch) != null) {
            watch.completeExceptionally(new IllegalStateException("message " + id + " is watched already"));
            return watch;
        }
        // The timeout also covers a message that never reaches the bridge (no rule matched after all).
        return watch.orTimeout(config.outboundTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((v, e) -> watched.remove(id, watch));
    }

    void outboundUnreadable(Exception e) {
        metrics.failed(name(), BridgeMetrics.Direction.OUT, BridgeMetrics.Reason.ERROR);
        log.warn("bridge {}: outbound message unreadable: {}", name(), e.getMessage());
    }

    private boolean admit(CompletableFuture<?> result) {
        int cap = config.outboundMaxInFlight();
        for (;;) {
            int n = outFlight.get();
            if (n >= cap) {
                metrics.failed(name(), BridgeMetrics.Direction.OUT, BridgeMetrics.Reason.FULL);
                result.completeExceptionally(new OutboundFullException(name(), cap));
                return false;
            }
            if (outFlight.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** On the outbound thread; one admitted slot is released exactly once, when {@code result} completes. */
    private void dispatch(Message message, CompletableFuture<Map<String, Object>> result) {
        BridgeIncarnation incarnation = current;
        if (incarnation == null || closed.get()) {
            outFlight.decrementAndGet();
            unavailable(result);
            return;
        }
        CompletionStage<Map<String, Object>> sent;
        try {
            sent = bridge.sendWithReceipt(message);
            if (sent == null) {
                throw new IllegalStateException("Bridge.sendWithReceipt returned null");
            }
        } catch (Throwable t) {
            outFlight.decrementAndGet();
            metrics.failed(name(), BridgeMetrics.Direction.OUT, BridgeMetrics.Reason.ERROR);
            result.completeExceptionally(t);
            log.warn("bridge {}: send threw {}; restarting it", name(), t.toString());
            incarnation.fail(t);
            return;
        }
        CompletableFuture<Map<String, Object>> confirmed = new CompletableFuture<>();
        sent.whenComplete((receipt, error) -> {
            if (error == null) {
                confirmed.complete(receipt == null ? Map.of() : receipt);
            } else {
                confirmed.completeExceptionally(error);
            }
        });
        confirmed.orTimeout(config.outboundTimeout().toMillis(), TimeUnit.MILLISECONDS).whenComplete((receipt, error) -> {
            outFlight.decrementAndGet();
            if (error == null) {
                metrics.confirmed(name());
                result.complete(receipt);
            } else {
                Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                        ? error.getCause() : error;
                metrics.failed(name(), BridgeMetrics.Direction.OUT,
                        cause instanceof TimeoutException ? BridgeMetrics.Reason.TIMEOUT : BridgeMetrics.Reason.ERROR);
                result.completeExceptionally(cause);
            }
        });
    }

    private void unavailable(CompletableFuture<?> result) {
        metrics.failed(name(), BridgeMetrics.Direction.OUT, BridgeMetrics.Reason.UNAVAILABLE);
        result.completeExceptionally(new BridgeStoppedException(name()));
    }

    @Override
    public int inboundInFlight() {
        BridgeIncarnation incarnation = current;
        return incarnation == null ? 0 : incarnation.inFlight();
    }

    @Override
    public int outboundInFlight() {
        return outFlight.get();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (OutboundRule rule : config.rules()) {
            router.detach(rule.space(), subscriber);
        }
        removeComponent.run();
        outbound.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
