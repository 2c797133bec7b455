package dev.switchboard.rabbitmq.inbox;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.ShutdownSignalException;
import dev.switchboard.core.spi.DeliveryHandle;
import dev.switchboard.core.spi.QueueStore;
import dev.switchboard.core.spi.StoreException;
import dev.switchboard.rabbitmq.ConfirmingPublisher;
import dev.switchboard.rabbitmq.RabbitConnector;
import dev.switchboard.rabbitmq.RabbitUnavailableException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Inboxes on RabbitMQ quorum queues: the {@link QueueStore} SPI with the broker doing what it can.
 *
 * <h2>Mapping</h2>
 * Inbox {@code q} is the quorum queue {@code switchboard.inbox.<q>} (or {@code switchboard.inbox.sha256-<hex>}
 * when that is longer than AMQP's 255 bytes), declared on first use with {@code x-delivery-limit =
 * maxAttempts - 1} (the broker counts returns), {@code x-dead-letter-exchange}, at-least-once
 * dead-lettering, and {@code x-max-length} with {@code reject-publish} (a full inbox refuses the publish:
 * {@code QUEUE_FULL}). Dead letters of every inbox go to one quorum queue (named like the dead-letter
 * exchange); {@link #deadLetters} reads it, filtered by the original queue.
 *
 * <h2>Operations</h2>
 * <ul>
 *   <li>{@link #enqueue}: a persistent, mandatory publish to the default exchange in confirm mode; completes
 *       on the broker's confirm (the quorum queue has the message on a majority). Header
 *       {@value #ID_HEADER} carries the id it answers. De-duplication by key is this node's memory
 *       ({@code dedupWindow}, {@code dedupMaxKeys}): a retry through another node is not recognised.</li>
 *   <li>{@link #lease}: {@code basic.get} without auto-ack, up to {@code max}; the lease is the unacked
 *       delivery, ended by {@link #ack} ({@code basic.ack}), {@link #release} or the visibility timeout
 *       ({@code basic.nack} with requeue: the broker counts the attempt and past the limit dead-letters
 *       it). The attempt is the broker's {@code x-delivery-count} plus one.</li>
 *   <li>A lease also ends when the channel does (connection lost, Switchboard killed): the broker requeues
 *       the message, counting an attempt. A handle from before that acks nothing: the message is delivered
 *       again (at least once). Unlike the embedded store, a late ack after the visibility timeout cannot
 *       remove the message either: it was already requeued.</li>
 *   <li>{@link #depth}: the queue's ready messages (from {@code queue.declare}) plus those leased on this node.</li>
 * </ul>
 *
 * <h2>Threading and bounds</h2>
 * One channel, owned by one thread ({@code switchboard-rabbitmq-inbox}): every AMQP call of the store
 * runs there; confirms and shutdowns arrive on the connection's thread and touch only thread-safe state
 * or hop over. Operations queued for that thread are bounded by {@code maxPending} (beyond:
 * {@code OVERLOADED}). Public methods never block. While the connection is away every operation fails at
 * once with {@code CLOSED} (HTTP 503).
 */
public final class RabbitQueueStore implements QueueStore {

    /** Header holding the store's id of a message. */
    public static final String ID_HEADER = "x-switchboard-id";
    /** Most dead letters one {@link #deadLetters} call looks through. */
    static final int DEAD_LETTER_SCAN = 10_000;
    private static final int MAX_QUEUE_NAME = 255;
    private static final Logger log = LoggerFactory.getLogger(RabbitQueueStore.class);

    /** One delivery: valid while its channel generation lasts. */
    record Lease(String queue, long generation, long tag, long id) implements DeliveryHandle {}

    /** A dead letter as {@link #deadLetters} shows it: acks nothing. */
    record DeadLetter(String queue) implements DeliveryHandle {}

    private interface Op<T> {
        T run() throws IOException;
    }

    private final RabbitConnector connector;
    private final RabbitInboxConfig config;
    private final ScheduledThreadPoolExecutor thread;
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicLong sequence = new AtomicLong();
    private final long salt = ThreadLocalRandom.current().nextLong();
    private final LinkedHashMap<String, Enqueued> dedup = new LinkedHashMap<>(); // guarded by itself
    private volatile boolean closed;

    // ---- owned by the store thread ----
    private Channel channel;
    private ConfirmingPublisher publisher;
    private long generation;
    private final Set<String> declared = new HashSet<>();
    private final Map<Long, Leased> leases = new HashMap<>();

    private record Enqueued(CompletableFuture<Long> id, long atMillis) {}

    private static final class Leased {
        final Lease lease;
        final ScheduledFuture<?> expiry;

        Leased(Lease lease, ScheduledFuture<?> expiry) {
            this.lease = lease;
            this.expiry = expiry;
        }
    }

    public RabbitQueueStore(RabbitConnector connector, RabbitInboxConfig config) {
        this.connector = connector;
        this.config = config;
        ScheduledThreadPoolExecutor exec = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "switchboard-rabbitmq-inbox");
            t.setDaemon(true);
            return t;
        });
        exec.setRemoveOnCancelPolicy(true); // acked leases' expiries must not pile up
        this.thread = exec;
    }

    /** The AMQP queue of inbox {@code queue}. */
    public static String queueName(String queue) {
        String name = RabbitConnector.INBOX_QUEUE_PREFIX + queue;
        if (name.getBytes(StandardCharsets.UTF_8).length <= MAX_QUEUE_NAME) {
            return name;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(queue.getBytes(StandardCharsets.UTF_8));
            return RabbitConnector.INBOX_QUEUE_PREFIX + "sha256-" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }

    // ---- the SPI ----

    @Override
    public CompletionStage<Long> enqueue(String queue, String dedupKey, byte[] payload) {
        String key = queue + '\u0000' + dedupKey;
        CompletableFuture<Long> mine = new CompletableFuture<>();
        long now = System.currentTimeMillis();
        synchronized (dedup) {
            Enqueued seen = dedup.get(key);
            if (seen != null && now - seen.atMillis <= config.dedupWindow().toMillis()
                    && !seen.id.isCompletedExceptionally()) {
                return seen.id;
            }
            if (config.dedupMaxKeys() > 0) {
                dedup.remove(key);
                dedup.put(key, new Enqueued(mine, now));
                var it = dedup.entrySet().iterator();
                while (it.hasNext()) {
                    Enqueued oldest = it.next().getValue();
                    if (dedup.size() > config.dedupMaxKeys() || now - oldest.atMillis > config.dedupWindow().toMillis()) {
                        it.remove();
                    } else {
                        break;
                    }
                }
            }
        }
        long id = ((now & 0x7FF_FFFF_FFFFL) << 20) | ((sequence.incrementAndGet() ^ salt) & 0xF_FFFF);
        String name = queueName(queue);
        this.<CompletableFuture<Void>>submit(() -> {
            Channel ch = channel();
            declare(ch, name);
            Map<String, Object> headers = new HashMap<>();
            headers.put(ID_HEADER, id);
            AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().deliveryMode(2)
                    .timestamp(new java.util.Date(now)).messageId(dedupKey).headers(headers).build();
            return publisher.publish("", name, props, payload);
        }).thenCompose(confirmed -> confirmed).whenComplete((v, error) -> {
            if (error == null) {
                mine.complete(id);
            } else {
                if (unwrap(error) instanceof ConfirmingPublisher.UnroutableException) {
                    // The queue was deleted behind this store's back: declare it again on next use.
                    forget(name);
                }
                mine.completeExceptionally(storeError(error, "enqueue to " + name));
            }
        });
        return mine;
    }

    @Override
    public CompletionStage<List<QueuedMessage>> lease(String queue, int max, Duration visibilityTimeout) {
        String name = queueName(queue);
        return submit(() -> {
            Channel ch = channel();
            declare(ch, name);
            List<QueuedMessage> out = new ArrayList<>();
            while (out.size() < max) {
                GetResponse r = ch.basicGet(name, false);
                if (r == null) {
                    break;
                }
                long id = idOf(r.getProps(), r.getBody());
                Lease lease = new Lease(queue, generation, r.getEnvelope().getDeliveryTag(), id);
                ScheduledFuture<?> expiry = thread.schedule(() -> expire(lease), visibilityTimeout.toMillis(),
                        TimeUnit.MILLISECONDS);
                leases.put(lease.tag(), new Leased(lease, expiry));
                Object count = r.getProps().getHeaders() == null ? null : r.getProps().getHeaders().get("x-delivery-count");
                int attempt = count instanceof Number n ? n.intValue() + 1 : 1;
                long at = r.getProps().getTimestamp() == null ? 0 : r.getProps().getTimestamp().getTime();
                out.add(new QueuedMessage(queue, id, at, attempt, r.getBody(), lease));
            }
            return out;
        });
    }

    @Override
    public CompletionStage<Void> ack(DeliveryHandle delivery) {
        return settle(delivery, true);
    }

    @Override
    public CompletionStage<Void> release(DeliveryHandle delivery) {
        return settle(delivery, false);
    }

    private CompletionStage<Void> settle(DeliveryHandle delivery, boolean ack) {
        if (!(delivery instanceof Lease lease)) {
            return CompletableFuture.completedFuture(null); // a dead letter's handle: nothing to end
        }
        return submit(() -> {
            Leased l = lease.generation() == generation ? leases.remove(lease.tag()) : null;
            if (l == null) {
                return null; // expired, released, or its channel is gone: the broker has requeued it
            }
            l.expiry.cancel(false);
            if (ack) {
                channel.basicAck(lease.tag(), false);
            } else {
                channel.basicNack(lease.tag(), false, true);
            }
            return null;
        });
    }

    /** On the store thread. */
    private void expire(Lease lease) {
        if (lease.generation() != generation || leases.remove(lease.tag()) == null) {
            return;
        }
        try {
            channel.basicNack(lease.tag(), false, true);
        } catch (IOException | AlreadyClosedException e) {
            log.debug("inbox {}: expired lease {} not released ({}); the broker requeues it with its channel",
                    lease.queue(), lease.id(), e.toString());
        }
    }

    @Override
    public CompletionStage<List<QueuedMessage>> deadLetters(String queue, int max) {
        String name = queueName(queue);
        return submit(() -> {
            channel(); // the dead-letter topology exists once a channel was opened
            Channel scan = connector.openChannel();
            try {
                List<QueuedMessage> out = new ArrayList<>();
                for (int i = 0; i < DEAD_LETTER_SCAN && out.size() < max; i++) {
                    GetResponse r = scan.basicGet(config.deadLetterExchange(), false);
                    if (r == null) {
                        break;
                    }
                    if (name.equals(deadFrom(r.getProps()))) {
                        long at = r.getProps().getTimestamp() == null ? 0 : r.getProps().getTimestamp().getTime();
                        out.add(new QueuedMessage(queue, idOf(r.getProps(), r.getBody()), at, config.maxAttempts(),
                                r.getBody(), new DeadLetter(queue)));
                    }
                }
                return out;
            } finally {
                // Closing the channel returns every message it got to the dead-letter queue.
                try {
                    scan.close();
                } catch (IOException | java.util.concurrent.TimeoutException | AlreadyClosedException e) {
                    scan.abort();
                }
            }
        });
    }

    @Override
    public CompletionStage<Long> depth(String queue) {
        String name = queueName(queue);
        return submit(() -> {
            Channel ch = channel();
            AMQP.Queue.DeclareOk ok = ch.queueDeclare(name, true, false, false, arguments());
            declared.add(name);
            long leased = leases.values().stream().filter(l -> l.lease.queue().equals(queue)).count();
            return ok.getMessageCount() + leased;
        });
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        thread.execute(() -> {
            Channel ch = channel;
            channel = null;
            if (ch != null) {
                try {
                    ch.abort();
                } catch (IOException | RuntimeException e) {
                    log.debug("inbox channel abort: {}", e.toString());
                }
            }
        });
        thread.shutdown();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- the store thread ----

    private <T> CompletableFuture<T> submit(Op<T> op) {
        CompletableFuture<T> f = new CompletableFuture<>();
        if (closed) {
            f.completeExceptionally(new StoreException(StoreException.Reason.CLOSED, "the RabbitMQ inbox store is closed"));
            return f;
        }
        if (pending.incrementAndGet() > config.maxPending()) {
            pending.decrementAndGet();
            f.completeExceptionally(new StoreException(StoreException.Reason.OVERLOADED,
                    config.maxPending() + " inbox operations already wait for RabbitMQ"));
            return f;
        }
        try {
            thread.execute(() -> {
                try {
                    f.complete(op.run());
                } catch (IOException | ShutdownSignalException e) {
                    f.completeExceptionally(storeError(e, "inbox operation"));
                } catch (RuntimeException e) {
                    f.completeExceptionally(e);
                } finally {
                    pending.decrementAndGet();
                }
            });
        } catch (RejectedExecutionException e) {
            pending.decrementAndGet();
            f.completeExceptionally(new StoreException(StoreException.Reason.CLOSED, "the RabbitMQ inbox store is closed"));
        }
        return f;
    }

    /** The store's channel, opened (with the dead-letter topology) if there is none; on the store thread. */
    private Channel channel() throws IOException {
        Channel ch = channel;
        if (ch != null) {
            if (!ch.isOpen()) {
                throw new RabbitUnavailableException("the inbox channel is recovering with its connection");
            }
            return ch;
        }
        ch = connector.openChannel();
        try {
            ch.exchangeDeclare(config.deadLetterExchange(), BuiltinExchangeType.FANOUT, true);
            ch.queueDeclare(config.deadLetterExchange(), true, false, false, Map.of("x-queue-type", "quorum"));
            ch.queueBind(config.deadLetterExchange(), config.deadLetterExchange(), "");
            publisher = new ConfirmingPublisher(ch, "inbox-");
        } catch (IOException | RuntimeException e) {
            ch.abort();
            throw e;
        }
        Channel opened = ch;
        ch.addShutdownListener(cause -> {
            try {
                thread.execute(() -> onChannelShutdown(opened, cause));
            } catch (RejectedExecutionException e) {
                // Closing: nothing to reset.
            }
        });
        channel = ch;
        return ch;
    }

    /**
     * Every lease of the channel ended with it (the broker requeues them). A connection loss leaves the
     * channel to recovery; a channel the broker closed (an error of ours, a deleted queue) is replaced
     * on next use.
     */
    private void onChannelShutdown(Channel ch, ShutdownSignalException cause) {
        if (ch != channel) {
            return;
        }
        generation++;
        leases.values().forEach(l -> l.expiry.cancel(false));
        leases.clear();
        declared.clear();
        if (!cause.isHardError()) {
            if (!cause.isInitiatedByApplication()) {
                log.warn("rabbitmq inbox: channel closed by the broker ({}); opening a new one on next use",
                        RabbitConnector.describe(cause));
            }
            channel = null;
            publisher = null;
        }
    }

    private void declare(Channel ch, String name) throws IOException {
        if (declared.add(name)) {
            try {
                ch.queueDeclare(name, true, false, false, arguments());
            } catch (IOException e) {
                declared.remove(name);
                throw e;
            }
        }
    }

    private Map<String, Object> arguments() {
        Map<String, Object> args = new HashMap<>();
        args.put("x-queue-type", "quorum");
        args.put("x-delivery-limit", config.maxAttempts() - 1);
        args.put("x-dead-letter-exchange", config.deadLetterExchange());
        args.put("x-dead-letter-strategy", "at-least-once");
        args.put("x-overflow", "reject-publish");
        args.put("x-max-length", config.maxLength());
        return args;
    }

    private static long idOf(AMQP.BasicProperties props, byte[] body) {
        Object id = props.getHeaders() == null ? null : props.getHeaders().get(ID_HEADER);
        if (id instanceof Number n) {
            return n.longValue();
        }
        // Put there by someone else than this store: a stable id from its content.
        String basis = props.getMessageId() != null ? props.getMessageId() : new String(body, StandardCharsets.ISO_8859_1);
        return UUID.nameUUIDFromBytes(basis.getBytes(StandardCharsets.UTF_8)).getMostSignificantBits() & Long.MAX_VALUE;
    }

    /** The queue a dead letter came from: the broker's {@code x-death} entry ({@code queue}). */
    @SuppressWarnings("unchecked")
    private static String deadFrom(AMQP.BasicProperties props) {
        Object deaths = props.getHeaders() == null ? null : props.getHeaders().get("x-death");
        if (deaths instanceof List<?> list && !list.isEmpty() && list.get(0) instanceof Map<?, ?> first) {
            Object q = ((Map<String, Object>) first).get("queue");
            return q == null ? null : q.toString();
        }
        return null;
    }

    private void forget(String name) {
        try {
            thread.execute(() -> declared.remove(name));
        } catch (RejectedExecutionException e) {
            // Closed.
        }
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    private static StoreException storeError(Throwable error, String what) {
        Throwable e = unwrap(error);
        if (e instanceof StoreException s) {
            return s;
        }
        if (e instanceof RabbitUnavailableException) {
            return new StoreException(StoreException.Reason.CLOSED, "RabbitMQ unavailable: " + e.getMessage());
        }
        if (e instanceof ConfirmingPublisher.RefusedException) {
            return new StoreException(StoreException.Reason.QUEUE_FULL, what + ": the inbox is full (x-max-length)");
        }
        if (e instanceof ShutdownSignalException s && s.isHardError() || e instanceof AlreadyClosedException) {
            return new StoreException(StoreException.Reason.CLOSED, what + ": connection to RabbitMQ lost");
        }
        return new StoreException(StoreException.Reason.FAILED, what + ": " + e.getMessage(), e);
    }
}
