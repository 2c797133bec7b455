package dev.switchboard.kafka.bridge;

import dev.switchboard.core.bridge.BridgeContext;
import dev.switchboard.core.bridge.BridgeStoppedException;
import dev.switchboard.core.bridge.Inbound;
import dev.switchboard.core.bridge.InboundFullException;
import dev.switchboard.core.message.Message;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One inbound rule of one bridge incarnation: its consumer (in the rule's group) and the thread that
 * owns it.
 *
 * <h2>Per partition</h2>
 * Polled records wait in the partition's queue ({@link Partition#queued}); reaching
 * {@code max-queued-per-partition} pauses the partition in the consumer, falling to half resumes it, so a
 * slow fabric (a full inbound window, a slow store) holds at most that many records per partition plus
 * one poll ({@code max.poll.records} is at most the bound). Records are published in offset order from
 * this thread (so a room's events keep the partition's order); each published offset waits in
 * {@link Partition#pending} until its stage completes. The committed offset is {@code o + 1} for the
 * highest {@code o} such that every offset up to it completed: never past a record the fabric has not
 * accepted, whatever order the stages complete in.
 *
 * <h2>Failures</h2>
 * A stage that fails (the store refused a durable room's event, the bridge is stopping) rewinds the
 * partition: seek to its lowest uncompleted offset, drop what was queued and pending there, and publish
 * again after a backoff (1 s, doubling to 10 s). Stages of the abandoned attempt that complete later are
 * ignored (the partition's {@link Partition#generation} changed) and their records, published again, are
 * suppressed by the {@link DedupWindow}. An unmappable record is dead-lettered; its offset completes only
 * once the dead-letter topic acknowledged it (so a dead letter is not lost either), and never blocks the
 * partition longer than that produce.
 *
 * <h2>Threading</h2>
 * Everything in this class runs on {@link #thread} except {@link #close} and the completion callbacks,
 * which only add to {@link #completions}. The consumer is used by that thread only ({@code wakeup} aside).
 */
final class RuleConsumer {

    private static final Logger log = LoggerFactory.getLogger(RuleConsumer.class);
    /** How long a poll waits for records; also the longest delay before a completion is committed. */
    private static final Duration POLL = Duration.ofMillis(50);
    /** At least the broker's group.min.session.timeout.ms (6 s by default). */
    private static final int SESSION_TIMEOUT_MS = 10_000;
    private static final long LAG_EVERY_NANOS = Duration.ofSeconds(1).toNanos();
    private static final Duration LAG_TIMEOUT = Duration.ofSeconds(1);
    private static final long MIN_RETRY_NANOS = Duration.ofSeconds(1).toNanos();
    private static final long MAX_RETRY_NANOS = Duration.ofSeconds(10).toNanos();

    /** Publishes a dead letter; completes when the dead-letter topic acknowledged it. */
    interface DeadLetters {
        CompletableFuture<Void> send(InboundRule rule, ConsumerRecord<byte[], byte[]> record, RecordMapper.Unmappable why);
    }

    private record Completion(TopicPartition tp, long generation, long offset, Throwable error) {}

    private static final class Partition {
        final TopicPartition tp;
        final long generation;
        final ArrayDeque<ConsumerRecord<byte[], byte[]>> queued = new ArrayDeque<>();
        /** Offsets published (or dead-lettered) and not yet committable, increasing. */
        final ArrayDeque<Long> pending = new ArrayDeque<>();
        final Set<Long> completed = new HashSet<>();
        boolean paused;
        long retryAt;
        long retryDelay = MIN_RETRY_NANOS;
        /** The next offset to commit; -1 until a record completed. */
        long commitNext = -1;
        long committed = -1;

        Partition(TopicPartition tp, long generation) {
            this.tp = tp;
            this.generation = generation;
        }
    }

    private final String bridge;
    private final InboundRule rule;
    private final Inbound inbound;
    private final BridgeContext context;
    private final RecordMapper mapper;
    private final DedupWindow window;
    private final BridgeMeters.In meters;
    private final DeadLetters deadLetters;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private final ConcurrentLinkedQueue<Completion> completions = new ConcurrentLinkedQueue<>();
    private final Map<TopicPartition, Partition> partitions = new HashMap<>();
    private long generations;
    private long lastLagNanos = System.nanoTime();
    private volatile boolean running = true;

    RuleConsumer(String bridge, KafkaBridgeOptions options, InboundRule rule, BridgeContext context, DedupWindow window,
                 BridgeMeters.In meters, DeadLetters deadLetters) {
        this.bridge = bridge;
        this.rule = rule;
        this.inbound = context.inbound();
        this.context = context;
        this.mapper = new RecordMapper(rule);
        this.window = window;
        this.meters = meters;
        this.deadLetters = deadLetters;
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, rule.group());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "switchboard-" + bridge + "-" + rule.topic());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // A new group starts at the end: a bridge carries what is published from now on, not the topic's past.
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Math.min(500, rule.maxQueuedPerPartition()));
        // A consumer stopped while the brokers were away could not leave its group: its partitions come back
        // to the next incarnation after this session timeout (Kafka's default, 45 s, is a long wait).
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, SESSION_TIMEOUT_MS);
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, SESSION_TIMEOUT_MS / 3);
        p.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) options.requestTimeout().toMillis());
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) options.requestTimeout().toMillis());
        // Large enough for a record of max-record-bytes plus its batch, so that one is dead-lettered, not stuck.
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Math.max(1 << 20, rule.maxRecordBytes() + (64 << 10)));
        this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::run, "kafka-bridge-" + bridge + "-" + rule.topic());
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Asks the thread to stop: it commits what completed (bounded by the request timeout) and closes the consumer. */
    void stopSoon() {
        running = false;
        consumer.wakeup();
    }

    /** {@link #stopSoon}, then waits for the thread to end. */
    void close() {
        stopSoon();
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            consumer.subscribe(List.of(rule.topic()), new Rebalance());
            while (running) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
                take(records);
                applyCompletions();
                dispatch();
                resumeWhereRoom();
                commit();
                measureLag();
            }
        } catch (WakeupException e) {
            if (running) {
                context.fail(e);
            }
        } catch (RuntimeException e) {
            if (running) {
                log.warn("kafka bridge {}: consumer of {} failed: {}", bridge, rule.topic(), e.toString());
                context.fail(e);
            }
        } finally {
            try {
                applyCompletions();
                commitSync();
            } catch (RuntimeException e) {
                log.debug("kafka bridge {}: last commit of {} failed: {}", bridge, rule.topic(), e.toString());
            }
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private void take(ConsumerRecords<byte[], byte[]> records) {
        for (TopicPartition tp : records.partitions()) {
            Partition p = partitions.get(tp);
            List<ConsumerRecord<byte[], byte[]>> list = records.records(tp);
            if (p == null) {
                continue; // revoked meanwhile: its new owner reads them from the committed offset
            }
            p.queued.addAll(list);
            meters.consumed.increment(list.size());
            meters.queued.addAndGet(list.size());
            if (!p.paused && p.queued.size() >= rule.maxQueuedPerPartition()) {
                consumer.pause(List.of(tp));
                p.paused = true;
            }
        }
    }

    private void resumeWhereRoom() {
        for (Partition p : partitions.values()) {
            if (p.paused && p.queued.size() <= rule.maxQueuedPerPartition() / 2) {
                consumer.resume(List.of(p.tp));
                p.paused = false;
            }
        }
    }

    /** Publishes queued records in offset order while the bridge's inbound window has room. */
    private void dispatch() {
        long now = System.nanoTime();
        for (Partition p : partitions.values()) {
            if (p.retryAt != 0 && now - p.retryAt < 0) {
                continue;
            }
            ConsumerRecord<byte[], byte[]> r;
            while ((r = p.queued.peek()) != null) {
                if (inbound.inFlight() >= inbound.capacity()) {
                    return;
                }
                if (!publish(p, r)) {
                    return;
                }
                p.queued.poll();
                meters.queued.decrementAndGet();
                p.pending.addLast(r.offset());
            }
        }
    }

    /** False when the record was not taken (the window filled meanwhile): it stays first in its queue. */
    private boolean publish(Partition p, ConsumerRecord<byte[], byte[]> r) {
        RecordMapper.Result mapped = mapper.map(r);
        if (mapped.unmappable() != null) {
            RecordMapper.Unmappable why = mapped.unmappable();
            log.warn("kafka bridge {}: record {}-{}@{} dead-lettered{}: {} ({})", bridge, r.topic(), r.partition(), r.offset(),
                    rule.deadLetterTopic() == null ? " (no dead-letter-topic: dropped)" : " to " + rule.deadLetterTopic(),
                    why.reason().text, why.detail());
            CompletableFuture<Void> sent = rule.deadLetterTopic() == null
                    ? CompletableFuture.completedFuture(null) : deadLetters.send(rule, r, why);
            sent.whenComplete((v, e) -> {
                if (e == null) {
                    meters.deadLettered(why.reason());
                }
                completions.add(new Completion(p.tp, p.generation, r.offset(), e));
            });
            return true;
        }
        Message message = mapped.message();
        CompletableFuture<Inbound.Accepted> first = new CompletableFuture<>();
        CompletableFuture<?> earlier = window.putIfAbsent(message.id(), first);
        if (earlier != null) {
            meters.duplicates.increment();
            earlier.whenComplete((v, e) -> completions.add(new Completion(p.tp, p.generation, r.offset(), e)));
            return true;
        }
        CompletableFuture<Inbound.Accepted> stage = inbound.publish(message).toCompletableFuture();
        if (stage.isCompletedExceptionally() && cause(stage) instanceof InboundFullException) {
            window.forget(message.id(), first);
            return false;
        }
        stage.whenComplete((accepted, e) -> {
            if (e == null) {
                meters.delivered.increment();
                first.complete(accepted);
            } else {
                window.forget(message.id(), first);
                first.completeExceptionally(e);
            }
            completions.add(new Completion(p.tp, p.generation, r.offset(), e));
        });
        return true;
    }

    private static Throwable cause(CompletableFuture<?> failed) {
        try {
            failed.join();
            return null;
        } catch (CompletionException e) {
            return e.getCause();
        } catch (java.util.concurrent.CancellationException e) {
            return e;
        }
    }

    private void applyCompletions() {
        Completion c;
        while ((c = completions.poll()) != null) {
            Partition p = partitions.get(c.tp());
            if (p == null || p.generation != c.generation()) {
                continue; // an abandoned attempt: the record was or will be read again
            }
            if (c.error() == null) {
                p.completed.add(c.offset());
                while (!p.pending.isEmpty() && p.completed.remove(p.pending.peekFirst())) {
                    p.commitNext = p.pending.pollFirst() + 1;
                }
                p.retryDelay = MIN_RETRY_NANOS;
            } else {
                rewind(p, c);
            }
        }
    }

    /** A record was not accepted: read the partition again from its lowest uncompleted offset, after a backoff. */
    private void rewind(Partition p, Completion c) {
        long from = p.pending.isEmpty() ? c.offset() : Math.min(p.pending.peekFirst(), c.offset());
        Throwable cause = c.error() instanceof CompletionException && c.error().getCause() != null ? c.error().getCause() : c.error();
        if (cause instanceof BridgeStoppedException) {
            // The incarnation is stopping: the next one reads from the committed offset anyway.
            log.debug("kafka bridge {}: record {}@{} not accepted (stopping)", bridge, p.tp, c.offset());
        } else {
            log.warn("kafka bridge {}: record {}@{} not accepted ({}); reading {} again from offset {} in {} ms", bridge, p.tp,
                    c.offset(), cause.toString(), p.tp, from, p.retryDelay / 1_000_000);
        }
        Partition fresh = new Partition(p.tp, ++generations);
        fresh.retryAt = System.nanoTime() + p.retryDelay;
        fresh.retryDelay = Math.min(MAX_RETRY_NANOS, p.retryDelay * 2);
        fresh.commitNext = p.commitNext;
        fresh.committed = p.committed;
        meters.queued.addAndGet(-p.queued.size());
        if (p.paused) {
            consumer.resume(List.of(p.tp));
        }
        partitions.put(p.tp, fresh);
        consumer.seek(p.tp, from);
    }

    private void commit() {
        Map<TopicPartition, OffsetAndMetadata> offsets = committable();
        if (offsets.isEmpty()) {
            return;
        }
        consumer.commitAsync(offsets, (done, e) -> {
            if (e != null) {
                log.debug("kafka bridge {}: commit of {} failed (retried with the next one): {}", bridge, rule.topic(), e.toString());
                return;
            }
            // Runs on this thread, inside poll or commitSync.
            for (Map.Entry<TopicPartition, OffsetAndMetadata> en : done.entrySet()) {
                Partition p = partitions.get(en.getKey());
                if (p != null && en.getValue().offset() > p.committed) {
                    p.committed = en.getValue().offset();
                }
            }
        });
    }

    private void commitSync() {
        Map<TopicPartition, OffsetAndMetadata> offsets = committable();
        if (!offsets.isEmpty()) {
            consumer.commitSync(offsets);
            offsets.forEach((tp, o) -> {
                Partition p = partitions.get(tp);
                if (p != null) {
                    p.committed = o.offset();
                }
            });
        }
    }

    private Map<TopicPartition, OffsetAndMetadata> committable() {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (Partition p : partitions.values()) {
            if (p.commitNext > p.committed) {
                offsets.put(p.tp, new OffsetAndMetadata(p.commitNext));
            }
        }
        return offsets;
    }

    /**
     * Lag per partition: the partition's end offset minus the offset the group will commit next. The end
     * offsets are asked for once a second (one ListOffsets round trip on this thread, at most 1 s): the
     * consumer's own view of them stops moving while a partition is paused, exactly when lag matters.
     */
    private void measureLag() {
        long now = System.nanoTime();
        if (now - lastLagNanos < LAG_EVERY_NANOS || partitions.isEmpty()) {
            return;
        }
        lastLagNanos = now;
        Map<TopicPartition, Long> ends;
        try {
            ends = consumer.endOffsets(partitions.keySet(), LAG_TIMEOUT);
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            return; // the brokers are slow or away: the gauge keeps its last value (the monitor reports outages)
        }
        for (Partition p : partitions.values()) {
            Long end = ends.get(p.tp);
            long base = p.commitNext >= 0 ? p.commitNext : p.committed;
            if (end != null && base >= 0) {
                meters.lag(p.tp.partition()).set(Math.max(0, end - base));
            } else {
                OptionalLong ahead = consumer.currentLag(p.tp);
                if (ahead.isPresent()) {
                    meters.lag(p.tp.partition()).set(ahead.getAsLong() + p.queued.size() + p.pending.size());
                }
            }
        }
    }

    /** Runs on the consumer's thread, inside poll. */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
            applyCompletions();
            try {
                commitSync();
            } catch (RuntimeException e) {
                log.debug("kafka bridge {}: commit on revocation failed: {}", bridge, e.toString());
            }
            drop(revoked);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> lost) {
            drop(lost);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
            for (TopicPartition tp : assigned) {
                partitions.put(tp, new Partition(tp, ++generations));
            }
            fixStart(assigned);
            if (!assigned.isEmpty()) {
                log.info("kafka bridge {}: consuming {} in group {}", bridge, assigned, rule.group());
            }
        }

        /**
         * A partition the group has no offset for starts at its end (auto.offset.reset=latest): that start is
         * committed at once, so records published while the bridge restarts before its first commit are not
         * skipped, and an operator can see where the group stands.
         */
        private void fixStart(Collection<TopicPartition> assigned) {
            if (assigned.isEmpty()) {
                return;
            }
            Map<TopicPartition, OffsetAndMetadata> known = consumer.committed(new HashSet<>(assigned));
            Map<TopicPartition, OffsetAndMetadata> start = new HashMap<>();
            for (TopicPartition tp : assigned) {
                if (known.get(tp) == null) {
                    start.put(tp, new OffsetAndMetadata(consumer.position(tp)));
                }
            }
            if (!start.isEmpty()) {
                consumer.commitSync(start);
                start.forEach((tp, o) -> partitions.get(tp).committed = o.offset());
            }
        }

        private void drop(Collection<TopicPartition> tps) {
            for (TopicPartition tp : tps) {
                Partition p = partitions.remove(tp);
                if (p != null) {
                    meters.queued.addAndGet(-p.queued.size());
                }
            }
        }
    }
}
