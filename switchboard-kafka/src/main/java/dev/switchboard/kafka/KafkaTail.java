package dev.switchboard.kafka;

import dev.switchboard.core.spi.StreamStore.StoredMessage;
import dev.switchboard.core.spi.StreamStore.Tail;
import dev.switchboard.core.spi.StreamStore.TailListener;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * One tail subscription: its own consumer on its own thread ({@code kafka-tail-<stream>}), assigned
 * the stream's partition from the subscription's position, handing the stream's records to the
 * listener through a serial queue on the caller's executor (one call at a time, in position order).
 *
 * <p>Bounded: {@code maxPending} messages may wait for the listener; the next one ends the
 * subscription ({@link Tail.End#LAGGED}) after the listener had those already queued, with the last
 * position it was handed. A thread and a consumer per subscription: fine for the handful of
 * subscriptions a node makes (one per durable room it serves), not for one per client.
 */
final class KafkaTail implements Tail {

    private final String stream;
    private final long afterPosition;
    private final int maxPending;
    private final TailListener listener;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final TopicPartition tp;
    private final Serial serial;
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final AtomicBoolean ended = new AtomicBoolean();
    private final Consumer<KafkaTail> onFinish;
    /** Written only by listener calls (serial), read by the end call that follows them on the same queue. */
    private long lastHanded;
    private volatile Tail.End stopReason = Tail.End.CLOSED;
    private volatile boolean lagged;

    KafkaTail(KafkaStoreConfig config, TopicPartition tp, String stream, long afterPosition, int maxPending,
              Executor executor, TailListener listener, Consumer<KafkaTail> onFinish) {
        this.stream = stream;
        this.afterPosition = afterPosition;
        this.maxPending = maxPending;
        this.listener = listener;
        this.tp = tp;
        this.onFinish = onFinish;
        this.lastHanded = afterPosition;
        this.serial = new Serial(executor);
        this.consumer = Reader.newConsumer(config, "switchboard-tail");
    }

    void start() {
        Thread t = new Thread(this::run, "kafka-tail-" + stream);
        t.setDaemon(true);
        t.start();
    }

    private void run() {
        Tail.End reason;
        Throwable cause = null;
        try {
            consumer.assign(List.of(tp));
            long first = consumer.beginningOffsets(List.of(tp)).get(tp);
            if (afterPosition >= 0 && afterPosition + 1 < first) {
                reason = Tail.End.TRUNCATED;
            } else {
                consumer.seek(tp, Math.max(first, afterPosition + 1));
                byte[] key = stream.getBytes(StandardCharsets.UTF_8);
                reason = poll(key);
            }
        } catch (WakeupException e) {
            reason = stopReason;
        } catch (RuntimeException e) {
            reason = Tail.End.FAILED;
            cause = e;
        } finally {
            consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
        }
        end(reason, cause);
    }

    private Tail.End poll(byte[] key) {
        while (!stopping.get()) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                StoredMessage m = Records.toMessage(stream, key, r);
                if (m == null) {
                    continue;
                }
                if (pending.incrementAndGet() > maxPending) {
                    lagged = true;
                    return Tail.End.LAGGED;
                }
                serial.execute(() -> {
                    pending.decrementAndGet();
                    if (!ended.get() && !stopping.get()) {
                        lastHanded = m.position();
                        listener.onMessage(m);
                    }
                });
            }
        }
        return stopReason;
    }

    private void end(Tail.End reason, Throwable cause) {
        serial.execute(() -> {
            if (ended.compareAndSet(false, true)) {
                listener.onEnd(reason, lastHanded, cause);
            }
        });
        onFinish.accept(this);
    }

    /** Whether the listener fell more than {@code maxPending} behind (the LAGGED end may still be queued). */
    boolean hasLagged() {
        return lagged;
    }

    /** Ends the subscription with {@code reason} (CLOSED by the caller, FAILED when the store closes). */
    void stop(Tail.End reason) {
        stopReason = reason;
        if (stopping.compareAndSet(false, true)) {
            consumer.wakeup();
        }
    }

    @Override
    public void close() {
        stop(Tail.End.CLOSED);
    }

    /** Runs tasks on an executor one at a time, in submission order, whatever the executor's threads. */
    private static final class Serial implements Executor {
        private final Executor executor;
        private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
        private boolean running;

        Serial(Executor executor) {
            this.executor = executor;
        }

        @Override
        public void execute(Runnable task) {
            synchronized (queue) {
                queue.add(task);
                if (running) {
                    return;
                }
                running = true;
            }
            executor.execute(this::drain);
        }

        private void drain() {
            while (true) {
                Runnable next;
                synchronized (queue) {
                    next = queue.poll();
                    if (next == null) {
                        running = false;
                        return;
                    }
                }
                try {
                    next.run();
                } catch (RuntimeException e) {
                    // A listener's own failure must not stop the queue (the end call still has to run).
                    org.slf4j.LoggerFactory.getLogger(KafkaTail.class).warn("tail listener failed: {}", e.toString());
                }
            }
        }
    }
}
