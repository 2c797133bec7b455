package dev.switchboard.core.inbox;

import dev.switchboard.core.spi.QueueStore;
import java.util.UUID;
import dev.switchboard.core.spi.QueueStore.QueuedMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reliable inboxes: per-recipient queues delivered to the recipient's live connections with explicit
 * acks, on top of any {@link QueueStore} (the embedded store on one node, RabbitMQ in a cluster).
 *
 * <p>Flow. {@link #publish} stores the message (the stage completes once it is stored) and, if the
 * recipient is connected, pumps: the service leases up to {@code maxInFlight} minus what the recipient
 * already holds, hands each message to one or every connection ({@link InboxConfig.Fanout}), and acks
 * it in the store when a client acks. A delivery not acked within {@code ackTimeout} is released
 * (the store counts the attempt, and past its delivery limit dead-letters the message) and delivered
 * again; so are a recipient's unacked deliveries when its last connection goes
 * ({@code redeliverOnDisconnect}). Delivery is at least once: a late ack still removes the message.
 *
 * <p>Threading. All state belongs to one thread, {@code switchboard-inbox}; store stages and client
 * acks come back to it through the executor, and the ack timeouts are scheduled on it. Public methods
 * are safe from any thread and never block.
 *
 * <p>Bounds: deliveries in flight per recipient ({@code maxInFlight}); recipients known only while
 * they have a connection or a delivery in flight.
 */
public final class Inboxes implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Inboxes.class);

    /** Counters since creation; read without locking. */
    public record Stats(long delivered, long acked, long timedOut, long failed, long lateAcks) {}

    /** A connection's registration; closing it disconnects the sink. */
    public interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    private static final class Recipient {
        final String id;
        final List<InboxSink> sinks = new ArrayList<>();
        final Map<Long, Delivery> inflight = new HashMap<>();
        int nextSink;
        boolean leasing;
        boolean pumpAgain;

        Recipient(String id) {
            this.id = id;
        }
    }

    private static final class Delivery {
        final QueuedMessage message;
        ScheduledFuture<?> timeout;
        int outstanding;
        boolean done;

        Delivery(QueuedMessage message) {
            this.message = message;
        }
    }

    private final QueueStore store;
    private final InboxConfig config;
    private final ScheduledExecutorService thread;
    private final Duration leaseTimeout;
    private final Map<String, Recipient> recipients = new HashMap<>();

    private volatile long delivered;
    private volatile long acked;
    private volatile long timedOut;
    private volatile long failed;
    private volatile long lateAcks;

    private Inboxes(QueueStore store, InboxConfig config) {
        this.store = store;
        this.config = config;
        this.leaseTimeout = config.ackTimeout().plus(config.leaseMargin());
        ScheduledThreadPoolExecutor exec = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "switchboard-inbox");
            t.setDaemon(true);
            return t;
        });
        exec.setRemoveOnCancelPolicy(true); // acked deliveries' timeouts must not pile up in the queue
        this.thread = exec;
    }

    public static Inboxes create(QueueStore store, InboxConfig config) {
        return new Inboxes(Objects.requireNonNull(store, "store"), Objects.requireNonNull(config, "config"));
    }

    /**
     * Stores a message for {@code recipient}; the stage completes with its id once it is stored (on the
     * store's thread), then it is delivered if the recipient is connected.
     */
    public CompletionStage<Long> publish(String recipient, byte[] payload) {
        return publish(recipient, UUID.randomUUID().toString(), payload);
    }

    /**
     * As {@link #publish(String, byte[])}, de-duplicated by {@code dedupKey}: a publisher that retries
     * with the same key (after a timeout, say) stores the message once and gets the same id.
     */
    public CompletionStage<Long> publish(String recipient, String dedupKey, byte[] payload) {
        CompletionStage<Long> stored = store.enqueue(recipient, dedupKey, payload);
        stored.thenRun(() -> run(() -> {
            Recipient r = recipients.get(recipient);
            if (r != null) {
                pump(r);
            }
        }));
        return stored;
    }

    /** Registers a live connection of {@code recipient}; pending messages start flowing to it. */
    public Registration connect(String recipient, InboxSink sink) {
        Objects.requireNonNull(recipient, "recipient");
        Objects.requireNonNull(sink, "sink");
        run(() -> {
            Recipient r = recipients.computeIfAbsent(recipient, Recipient::new);
            r.sinks.add(sink);
            pump(r);
        });
        return () -> run(() -> disconnect(recipient, sink));
    }

    public Stats stats() {
        return new Stats(delivered, acked, timedOut, failed, lateAcks);
    }

    /** Stops the inbox thread. Unacked deliveries stay leased in the store until their lease expires. */
    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- inbox thread ------------------------------------------------------------------------------

    private void run(Runnable task) {
        try {
            thread.execute(task);
        } catch (RejectedExecutionException e) {
            // Closed: nothing to deliver to any more; stored messages stay in the store.
        }
    }

    private void disconnect(String recipient, InboxSink sink) {
        Recipient r = recipients.get(recipient);
        if (r == null || !r.sinks.remove(sink)) {
            return;
        }
        if (r.sinks.isEmpty()) {
            if (config.redeliverOnDisconnect()) {
                for (Delivery d : new ArrayList<>(r.inflight.values())) {
                    finish(r, d);
                    store.release(d.message.delivery());
                }
            }
            forgetIfIdle(r);
        }
    }

    private void pump(Recipient r) {
        if (r.sinks.isEmpty()) {
            return;
        }
        if (r.leasing) {
            r.pumpAgain = true;
            return;
        }
        int credit = config.maxInFlight() - r.inflight.size();
        if (credit <= 0) {
            return;
        }
        r.leasing = true;
        store.lease(r.id, credit, leaseTimeout).whenComplete((list, err) -> run(() -> onLeased(r, credit, list, err)));
    }

    private void onLeased(Recipient r, int credit, List<QueuedMessage> leased, Throwable err) {
        r.leasing = false;
        if (err != null) {
            log.warn("inbox {}: lease failed: {}", r.id, err.toString());
            return;
        }
        for (QueuedMessage m : leased) {
            if (r.sinks.isEmpty()) {
                // Disconnected while leasing.
                store.release(m.delivery());
            } else {
                deliver(r, m);
            }
        }
        boolean maybeMore = leased.size() == credit;
        if (maybeMore || r.pumpAgain) {
            r.pumpAgain = false;
            pump(r);
        }
        forgetIfIdle(r);
    }

    private void deliver(Recipient r, QueuedMessage m) {
        Delivery d = new Delivery(m);
        r.inflight.put(m.id(), d);
        d.timeout = thread.schedule(() -> onTimeout(r, d), config.ackTimeout().toMillis(), TimeUnit.MILLISECONDS);
        List<InboxSink> targets = config.fanout() == InboxConfig.Fanout.ONE
                ? List.of(r.sinks.get(Math.floorMod(r.nextSink++, r.sinks.size())))
                : List.copyOf(r.sinks);
        d.outstanding = targets.size();
        delivered++;
        for (InboxSink sink : targets) {
            CompletionStage<Void> outcome;
            try {
                outcome = sink.deliver(m);
            } catch (RuntimeException e) {
                outcome = CompletableFuture.failedFuture(e);
            }
            outcome.whenComplete((v, e) -> run(() -> onOutcome(r, d, e)));
        }
    }

    private void onOutcome(Recipient r, Delivery d, Throwable err) {
        if (err == null) {
            if (d.done) {
                // Acked after its timeout released it: still remove it, it was processed.
                lateAcks++;
            } else {
                finish(r, d);
                acked++;
            }
            store.ack(d.message.delivery()).whenComplete((v, e) -> run(() -> pump(r)));
            return;
        }
        if (!d.done && --d.outstanding == 0) {
            // No connection could take it. No pump here: a broken connection would burn the message's
            // delivery attempts in a tight loop. It goes out again on the next ack, publish or connect.
            finish(r, d);
            failed++;
            store.release(d.message.delivery());
            forgetIfIdle(r);
        }
    }

    private void onTimeout(Recipient r, Delivery d) {
        if (d.done) {
            return;
        }
        finish(r, d);
        timedOut++;
        log.info("inbox {}: message {} not acked within {}, released for redelivery", r.id, d.message.id(), config.ackTimeout());
        store.release(d.message.delivery()).whenComplete((v, e) -> run(() -> pump(r)));
    }

    private void finish(Recipient r, Delivery d) {
        d.done = true;
        d.timeout.cancel(false);
        r.inflight.remove(d.message.id(), d);
    }

    private void forgetIfIdle(Recipient r) {
        if (r.sinks.isEmpty() && r.inflight.isEmpty() && !r.leasing) {
            recipients.remove(r.id, r);
        }
    }
}
