package dev.switchboard.kafka.bridge;

import dev.switchboard.core.bridge.Bridge;
import dev.switchboard.core.bridge.BridgeContext;
import dev.switchboard.core.bridge.BridgeStoppedException;
import dev.switchboard.core.message.Message;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka bridge: inbound rules consume topics into rooms ({@link RuleConsumer}, one consumer group and
 * thread per rule), outbound rules produce events to topics ({@link Producing}), both through one
 * idempotent {@code acks=all} producer that also writes the dead letters.
 *
 * <h2>Life and broker outages</h2>
 * {@link #start} first asks the cluster to describe itself within {@code request-timeout}: unreachable
 * brokers fail the start, so the supervisor keeps the bridge down (not UP in {@code /health/ready}, its
 * routed events answered {@code bridge unavailable}) and tries again with backoff for as long as the node
 * runs. While running, a monitor asks again every quarter of the timeout; brokers unreachable for a whole
 * timeout fail the incarnation the same way. Consumers resume from their groups' committed offsets on the
 * next start. One line is logged when the brokers become unreachable and one when they are back.
 *
 * <p>What outlives an incarnation: the de-duplication windows (one per inbound rule) and the meters.
 */
final class KafkaBridge implements Bridge {

    private static final Logger log = LoggerFactory.getLogger(KafkaBridge.class);
    static final String REASON_HEADER = "sb-dead-letter-reason";
    /** Records handed to the producer thread and not yet sent; beyond, a send fails at once. */
    private static final int SEND_QUEUE = 65_536;

    private final String name;
    private final KafkaBridgeOptions options;
    private final BridgeMeters meters;
    private final Map<InboundRule, DedupWindow> windows = new HashMap<>();
    private final Map<InboundRule, BridgeMeters.In> inMeters = new HashMap<>();
    private final Producing producing;
    /** True from the first failed connection attempt until one succeeds: outages are logged once. */
    private final AtomicBoolean unreachable = new AtomicBoolean();
    private volatile Running running;

    /** What one incarnation holds. */
    private record Running(Admin admin, KafkaProducer<byte[], byte[]> producer, ThreadPoolExecutor sender,
                           List<RuleConsumer> consumers, ScheduledExecutorService monitor) {}

    KafkaBridge(String name, KafkaBridgeOptions options, MeterRegistry registry) {
        this.name = name;
        this.options = options;
        this.meters = new BridgeMeters(registry, name);
        for (InboundRule rule : options.inbound()) {
            windows.put(rule, new DedupWindow(rule.dedupWindow()));
            inMeters.put(rule, meters.in(rule));
        }
        this.producing = new Producing(options.outbound(), meters);
    }

    @Override
    public void start(BridgeContext context) throws Exception {
        Properties ap = new Properties();
        ap.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers());
        ap.put(AdminClientConfig.CLIENT_ID_CONFIG, "switchboard-" + name + "-admin");
        int timeout = (int) options.requestTimeout().toMillis();
        ap.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeout);
        ap.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeout);
        Admin admin = Admin.create(ap);
        try {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs(timeout)).nodes().get(timeout, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            admin.close(java.time.Duration.ZERO);
            if (unreachable.compareAndSet(false, true)) {
                log.warn("kafka bridge {}: brokers at {} unreachable ({}); its events answer 'bridge unavailable' "
                        + "and its topics are not consumed until they are back, retrying", name, options.bootstrapServers(), rootMessage(e));
            }
            throw new KafkaBridgeUnavailable("brokers at " + options.bootstrapServers() + " unreachable");
        }
        if (unreachable.compareAndSet(true, false)) {
            log.info("kafka bridge {}: brokers at {} reachable again", name, options.bootstrapServers());
        }
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProperties(), new ByteArraySerializer(), new ByteArraySerializer());
        ThreadPoolExecutor sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(SEND_QUEUE), r -> {
            Thread t = new Thread(r, "kafka-bridge-" + name + "-send");
            t.setDaemon(true);
            return t;
        });
        List<RuleConsumer> consumers = new ArrayList<>();
        for (InboundRule rule : options.inbound()) {
            consumers.add(new RuleConsumer(name, options, rule, context, windows.get(rule), inMeters.get(rule), this::deadLetter));
        }
        ScheduledExecutorService monitor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kafka-bridge-" + name + "-monitor");
            t.setDaemon(true);
            return t;
        });
        running = new Running(admin, producer, sender, consumers, monitor);
        consumers.forEach(RuleConsumer::start);
        long every = Math.max(250, timeout / 4);
        new Monitor(admin, context, timeout).schedule(monitor, every);
    }

    private Properties producerProperties() {
        int timeout = (int) options.requestTimeout().toMillis();
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "switchboard-" + name);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, timeout);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, timeout + 1_000);
        int largest = options.inbound().stream().mapToInt(InboundRule::maxRecordBytes).max().orElse(0);
        // A dead letter carries the record that was too large for its rule: the producer must take it.
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Math.max(1 << 20, largest + (64 << 10)));
        return p;
    }

    /** Checks the brokers periodically; a whole request timeout without an answer fails the incarnation. */
    private final class Monitor {
        private final Admin admin;
        private final BridgeContext context;
        private final long timeoutNanos;
        private long failingSince;

        Monitor(Admin admin, BridgeContext context, int timeoutMs) {
            this.admin = admin;
            this.context = context;
            this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        }

        void schedule(ScheduledExecutorService on, long everyMs) {
            on.scheduleWithFixedDelay(this::check, everyMs, everyMs, TimeUnit.MILLISECONDS);
        }

        /** On the monitor thread; waits at most the monitor period for the answer. */
        private void check() {
            try {
                admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) (timeoutNanos / 4_000_000)))
                        .nodes().get(timeoutNanos, TimeUnit.NANOSECONDS);
                failingSince = 0;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                long now = System.nanoTime();
                if (failingSince == 0) {
                    failingSince = now;
                } else if (now - failingSince >= timeoutNanos) {
                    if (unreachable.compareAndSet(false, true)) {
                        log.warn("kafka bridge {}: brokers at {} unreachable for {} ({}); stopping until they are back",
                                name, options.bootstrapServers(), options.requestTimeout(), rootMessage(e));
                    }
                    context.fail(new KafkaBridgeUnavailable("brokers at " + options.bootstrapServers() + " unreachable"));
                }
            }
        }
    }

    @Override
    public void stop() {
        Running r = running;
        running = null;
        if (r == null) {
            return;
        }
        r.monitor().shutdownNow();
        r.consumers().forEach(RuleConsumer::stopSoon); // their last commits run in parallel
        r.consumers().forEach(RuleConsumer::close);
        r.sender().shutdown();
        try {
            r.sender().awaitTermination(options.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        r.producer().close(java.time.Duration.ofSeconds(2));
        r.admin().close(java.time.Duration.ofSeconds(2));
    }

    @Override
    public CompletionStage<Void> send(Message message) {
        return sendWithReceipt(message).thenApply(receipt -> null);
    }

    /** On the bridge's outbound thread: the record is built here and handed to the producer thread. */
    @Override
    public CompletionStage<Map<String, Object>> sendWithReceipt(Message message) {
        Running r = running;
        if (r == null) {
            return CompletableFuture.failedFuture(new BridgeStoppedException(name));
        }
        Producing.Prepared prepared;
        try {
            prepared = producing.prepare(message);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        return produce(r, prepared.record(), prepared.meters());
    }

    private CompletableFuture<Map<String, Object>> produce(Running r, ProducerRecord<byte[], byte[]> record, BridgeMeters.Out out) {
        CompletableFuture<Map<String, Object>> result = new CompletableFuture<>();
        try {
            r.sender().execute(() -> {
                long start = System.nanoTime();
                try {
                    r.producer().send(record, (md, e) -> {
                        if (e != null) {
                            if (out != null) {
                                out.failed.increment();
                            }
                            result.completeExceptionally(e);
                            return;
                        }
                        if (out != null) {
                            out.produce.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                        }
                        result.complete(Map.of("partition", md.partition(), "offset", md.offset()));
                    });
                } catch (RuntimeException e) {
                    if (out != null) {
                        out.failed.increment();
                    }
                    result.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new BridgeStoppedException(name));
        }
        return result;
    }

    /** Writes {@code record} to the rule's dead-letter topic: same key, value and headers, plus the reason. */
    private CompletableFuture<Void> deadLetter(InboundRule rule, ConsumerRecord<byte[], byte[]> record, RecordMapper.Unmappable why) {
        Running r = running;
        if (r == null) {
            return CompletableFuture.failedFuture(new BridgeStoppedException(name));
        }
        RecordHeaders headers = new RecordHeaders();
        for (Header h : record.headers()) {
            headers.add(h);
        }
        headers.add(REASON_HEADER, why.reason().text.getBytes(StandardCharsets.UTF_8));
        headers.add("sb-dead-letter-detail", why.detail().getBytes(StandardCharsets.UTF_8));
        headers.add("sb-dead-letter-source", (record.topic() + "-" + record.partition() + "@" + record.offset())
                .getBytes(StandardCharsets.UTF_8));
        ProducerRecord<byte[], byte[]> dead = new ProducerRecord<>(rule.deadLetterTopic(), null, record.key(), record.value(), headers);
        return produce(r, dead, null).thenApply(receipt -> null);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }

    /** The brokers cannot be reached: an expected condition, reported without a stack trace. */
    static final class KafkaBridgeUnavailable extends Exception {
        KafkaBridgeUnavailable(String message) {
            super(message, null, false, false);
        }
    }
}
