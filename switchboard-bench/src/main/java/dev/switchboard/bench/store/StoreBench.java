package dev.switchboard.bench.store;

import dev.switchboard.core.spi.QueueStore.QueuedMessage;
import dev.switchboard.core.spi.StreamStore.ReadResult;
import dev.switchboard.store.Durability;
import dev.switchboard.store.EmbeddedStore;
import dev.switchboard.core.spi.RetentionPolicy;
import dev.switchboard.store.StoreConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * The storage-plane benchmark: the embedded store's durable publish (OS and FSYNC durability),
 * replay and inbox throughput, side by side in one run with a single-node Kafka (KRaft, from Maven
 * jars, {@code ProducerPerformance}) and the machine's RabbitMQ (quorum queue, publisher confirms),
 * plus a hand-written append-only log to tell whether RocksDB costs us much. Same message size and
 * the same number of messages in flight everywhere. Run with {@code switchboard-bench/run store}.
 *
 * <pre>
 * options: --seconds N (measured, default 5)  --warmup N (default 1)  --rounds N (default 3)
 *          --size BYTES (default 1024)  --window N (in flight, default 256)  --kafka-classpath-file F
 *          --out DIR  --skip-kafka  --skip-rabbitmq
 * </pre>
 *
 * The machine is shared and noisy: every round runs every system once, interleaved, and the report
 * gives the median of the rounds with the spread.
 * <pre>
 * </pre>
 */
public final class StoreBench {

    private double seconds = 5;
    private double warmup = 1;
    private int rounds = 3;
    private int size = 1024;
    private int window = 256;
    private Path kafkaClasspathFile;
    private Path out;
    private boolean kafka = true;
    private boolean rabbit = true;
    private final List<Measurement> results = new ArrayList<>();
    private final List<String> skipped = new ArrayList<>();
    private byte[][] payloads;

    public static void main(String[] args) throws Exception {
        StoreBench b = new StoreBench();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> b.seconds = Double.parseDouble(args[++i]);
                case "--warmup" -> b.warmup = Double.parseDouble(args[++i]);
                case "--rounds" -> b.rounds = Integer.parseInt(args[++i]);
                case "--size" -> b.size = Integer.parseInt(args[++i]);
                case "--window" -> b.window = Integer.parseInt(args[++i]);
                case "--kafka-classpath-file" -> b.kafkaClasspathFile = Path.of(args[++i]);
                case "--out" -> b.out = Path.of(args[++i]);
                case "--skip-kafka" -> b.kafka = false;
                case "--skip-rabbitmq" -> b.rabbit = false;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (b.out == null) {
            b.out = Path.of("switchboard-bench", "results",
                    "store-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        }
        b.run();
        System.exit(0);
    }

    private void run() throws Exception {
        Files.createDirectories(out);
        Random random = new Random(42);
        payloads = new byte[1024][];
        for (int i = 0; i < payloads.length; i++) {
            payloads[i] = new byte[size];
            random.nextBytes(payloads[i]); // incompressible, like the peers' random records
        }
        Path work = Files.createTempDirectory("switchboard-store-bench");
        KafkaPeer k = null;
        try {
            if (kafka && kafkaClasspathFile == null) {
                skipped.add("Kafka: no --kafka-classpath-file");
            } else if (kafka) {
                log("starting kafka");
                Files.createDirectories(work.resolve("kafka"));
                k = new KafkaPeer(Files.readString(kafkaClasspathFile).trim(), work.resolve("kafka"));
            }
            for (int round = 1; round <= rounds; round++) {
                log("round " + round + " of " + rounds);
                Path dir = work.resolve("round-" + round);
                Measurement os = switchboardPublish(dir.resolve("os"), Durability.OS);
                Measurement fsync = switchboardPublish(dir.resolve("fsync"), Durability.FSYNC);
                switchboardReplay(dir.resolve("fsync"));
                switchboardInbox(dir.resolve("inbox"));
                appendOnlyLog(dir.resolve("aol-os"), false);
                appendOnlyLog(dir.resolve("aol-fsync"), true);
                if (k != null) {
                    kafka(k, round, os, fsync);
                }
                if (rabbit) {
                    rabbit();
                }
                deleteTree(dir);
            }
        } finally {
            if (k != null) {
                k.close();
            }
            deleteTree(work);
        }
        String report = report();
        Files.writeString(out.resolve("report.md"), report);
        System.out.println(report);
        System.out.println("written to " + out.resolve("report.md"));
    }

    private byte[] payload(long i) {
        return payloads[(int) (i & (payloads.length - 1))];
    }

    private StoreConfig.Builder config(Path dir, Durability durability) {
        return StoreConfig.newBuilder(dir).durability(durability).retention(RetentionPolicy.unlimited());
    }

    private Measurement switchboardPublish(Path dir, Durability durability) throws Exception {
        log("switchboard publish " + durability);
        try (EmbeddedStore store = EmbeddedStore.open(config(dir, durability).build())) {
            AtomicLong n = new AtomicLong();
            Measurement m = Pipelined.run("switchboard", "publish " + durability, size, window, warmup, seconds,
                    () -> {
                        long i = n.getAndIncrement();
                        return store.append("room", Long.toString(i), payload(i));
                    });
            var s = store.stats();
            m = new Measurement(m.system(), m.scenario(), m.messages(), m.seconds(), size, m.p50Micros(), m.p99Micros(),
                    m.notes() + String.format(Locale.ROOT, ", %.1f appends per commit", (double) s.committedOps() / s.commits()));
            results.add(m);
            return m;
        }
    }

    /** Reads the whole stream written by the FSYNC run after a reopen (memtables flushed to SST files on close). */
    private void switchboardReplay(Path dir) {
        log("switchboard replay");
        try (EmbeddedStore store = EmbeddedStore.open(config(dir, Durability.OS).build())) {
            long next = store.endPosition("room").toCompletableFuture().join();
            long t0 = System.nanoTime();
            long offset = 0;
            while (offset < next) {
                ReadResult r = store.read("room", offset, 10_000).toCompletableFuture().join();
                offset += r.messages().size();
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            results.add(new Measurement("switchboard", "replay", next, secs, size, Double.NaN, Double.NaN,
                    "whole stream after reopen, batches of 10000, page cache warm"));
        }
    }

    private void switchboardInbox(Path dir) throws Exception {
        log("switchboard inbox");
        try (EmbeddedStore store = EmbeddedStore.open(config(dir, Durability.FSYNC).build())) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong acked = new AtomicLong();
            // Pull consumer: leases the next batch while the acks of the previous ones are in flight
            // (at most 1000 unacknowledged acks), as a real inbox delivery loop would.
            java.util.concurrent.Semaphore ackWindow = new java.util.concurrent.Semaphore(1000);
            Thread consumer = new Thread(() -> {
                while (!stop.get()) {
                    List<QueuedMessage> got = store.lease("inbox", 100, Duration.ofSeconds(30)).toCompletableFuture().join();
                    if (got.isEmpty()) {
                        LockSupport.parkNanos(100_000);
                        continue;
                    }
                    ackWindow.acquireUninterruptibly(got.size());
                    for (QueuedMessage m : got) {
                        store.ack(m.delivery()).whenComplete((v, err) -> {
                            if (err == null) {
                                acked.incrementAndGet();
                            }
                            ackWindow.release();
                        });
                    }
                }
            }, "inbox-consumer");
            consumer.start();
            AtomicLong n = new AtomicLong();
            results.add(inbox("switchboard", "inbox FSYNC", acked,
                    () -> Pipelined.run("switchboard", "enqueue", size, window, warmup, seconds,
                            () -> {
                                long i = n.getAndIncrement();
                                return store.enqueue("inbox", Long.toString(i), payload(i));
                            }),
                    "enqueue+lease(100)+ack, pull consumer in process, 1000 acks in flight"));
            stop.set(true);
            consumer.join();
        }
    }

    private interface Producer {
        Measurement run() throws Exception;
    }

    /** Runs a producer while a consumer acks; the rate is the consumer's over the producer's measured window. */
    private Measurement inbox(String system, String scenario, AtomicLong acked, Producer producer, String notes) throws Exception {
        AtomicReference<Measurement> produced = new AtomicReference<>();
        AtomicReference<Exception> failed = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                produced.set(producer.run());
            } catch (Exception e) {
                failed.set(e);
            }
        }, "producer");
        t.start();
        Thread.sleep((long) (warmup * 1000));
        long a0 = acked.get();
        long t0 = System.nanoTime();
        t.join();
        long a1 = acked.get();
        double secs = (System.nanoTime() - t0) / 1e9;
        if (failed.get() != null) {
            throw failed.get();
        }
        Measurement p = produced.get();
        return new Measurement(system, scenario, a1 - a0, secs, size, p.p50Micros(), p.p99Micros(),
                notes + String.format(Locale.ROOT, "; producer %.0f msg/s, latency = enqueue confirm", p.perSecond()));
    }

    private void appendOnlyLog(Path dir, boolean sync) throws Exception {
        log("append-only log " + (sync ? "FSYNC" : "OS"));
        Files.createDirectories(dir);
        try (AppendOnlyLog aol = new AppendOnlyLog(dir.resolve("log"), sync)) {
            AtomicLong n = new AtomicLong();
            results.add(Pipelined.run("append-only log", "publish " + (sync ? "FSYNC" : "OS"), size, window, warmup, seconds,
                    () -> aol.append(payload(n.getAndIncrement()))));
        }
    }

    private void kafka(KafkaPeer k, int round, Measurement os, Measurement fsync) throws Exception {
        log("kafka");
        k.createTopic("bench-os-" + round);
        k.createTopic("bench-fsync-" + round, "flush.messages=1");
        // Aim at about the same duration as our runs; ProducerPerformance counts records, not time.
        int osRecords = (int) Math.min(2_000_000, Math.max(50_000, os.perSecond() * (seconds + warmup)));
        int fsRecords = (int) Math.min(1_000_000, Math.max(20_000, fsync.perSecond() * (seconds + warmup)));
        Measurement ko = k.producerPerformance("publish OS", "bench-os-" + round, osRecords, size, window);
        results.add(withNote(ko, "default flush (page cache, like OS)"));
        Measurement kf = k.producerPerformance("publish FSYNC", "bench-fsync-" + round, fsRecords, size, window);
        results.add(withNote(kf, "topic flush.messages=1 (fsync per append, like FSYNC)"));
        k.createTopic("bench-default-" + round);
        Measurement kd = k.producerPerformance("publish OS, unbounded", "bench-default-" + round, osRecords, size, 0);
        results.add(withNote(kd, "not window-limited: Kafka's best throughput here"));
        results.add(k.consumerPerformance("replay", "bench-os-" + round, ko.messages(), size));
    }

    private static Measurement withNote(Measurement m, String note) {
        return new Measurement(m.system(), m.scenario(), m.messages(), m.seconds(), m.messageBytes(), m.p50Micros(), m.p99Micros(),
                m.notes() + ", " + note);
    }

    private void rabbit() {
        log("rabbitmq");
        try {
            try (RabbitPeer r = new RabbitPeer()) {
                Measurement m = Pipelined.run("rabbitmq " + r.version(), "publish FSYNC", size, window, warmup, seconds,
                        () -> r.publish(payloads[0]));
                results.add(withNote(m, "quorum queue, persistent, publisher confirms (fsync before confirm)"));
            }
            try (RabbitPeer r = new RabbitPeer()) {
                AtomicLong acked = r.consume(100);
                results.add(inbox("rabbitmq " + r.version(), "inbox FSYNC", acked,
                        () -> Pipelined.run("rabbitmq", "publish", size, window, warmup, seconds, () -> r.publish(payloads[0])),
                        "quorum queue, confirms, consumer prefetch 100 manual ack"));
            }
        } catch (Exception e) {
            skipped.add("RabbitMQ: " + e);
        }
    }

    /** The median round of one system and scenario (by msg/s), with the spread of all its rounds. */
    private record Summary(Measurement median, double minPerSecond, double maxPerSecond, double medianP50, double medianP99, int rounds) {}

    private List<Summary> summaries() {
        java.util.Map<String, List<Measurement>> groups = new java.util.LinkedHashMap<>();
        for (Measurement m : results) {
            groups.computeIfAbsent(m.system() + "|" + m.scenario(), x -> new ArrayList<>()).add(m);
        }
        List<Summary> out = new ArrayList<>();
        for (List<Measurement> g : groups.values()) {
            List<Measurement> byRate = g.stream().sorted(Comparator.comparingDouble(Measurement::perSecond)).toList();
            out.add(new Summary(byRate.get(byRate.size() / 2), byRate.get(0).perSecond(), byRate.get(byRate.size() - 1).perSecond(),
                    median(g.stream().mapToDouble(Measurement::p50Micros).toArray()),
                    median(g.stream().mapToDouble(Measurement::p99Micros).toArray()), g.size()));
        }
        return out;
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        java.util.Arrays.sort(v);
        return v[v.length / 2];
    }

    private String report() {
        List<Summary> summaries = summaries();
        StringBuilder sb = new StringBuilder();
        sb.append("# Storage plane benchmark\n\n");
        sb.append(String.format(Locale.ROOT, "%s, %d cores (shared), Java %s. Message %d B, %d in flight, %d rounds of %.0f s measured after %.0f s warm-up; "
                        + "medians of the rounds, spread in brackets.%n%n",
                LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME), Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), size, window, rounds, seconds, warmup));
        sb.append("| system | scenario | msg/s (min-max) | MB/s | p50 ms | p99 ms | notes |\n|---|---|---:|---:|---:|---:|---|\n");
        for (Summary s : summaries) {
            Measurement m = s.median();
            sb.append(String.format(Locale.ROOT, "| %s | %s | %.0f (%.0f-%.0f) | %.1f | %s | %s | %s |%n", m.system(), m.scenario(), m.perSecond(),
                    s.minPerSecond(), s.maxPerSecond(), m.megabytesPerSecond(), ms(s.medianP50()), ms(s.medianP99()), m.notes()));
        }
        sb.append("\n## Ratios of medians (switchboard / peer; throughput >1 and latency <1 favour Switchboard)\n\n");
        ratio(sb, summaries, "publish OS", "kafka");
        ratio(sb, summaries, "publish FSYNC", "kafka");
        ratioAcross(sb, summaries, "publish OS", "kafka", "publish OS, unbounded");
        ratio(sb, summaries, "replay", "kafka");
        ratio(sb, summaries, "publish FSYNC", "rabbitmq");
        ratio(sb, summaries, "inbox FSYNC", "rabbitmq");
        ratio(sb, summaries, "publish OS", "append-only log");
        ratio(sb, summaries, "publish FSYNC", "append-only log");
        for (String s : skipped) {
            sb.append("\nSkipped: ").append(s).append('\n');
        }
        sb.append("\nAll rounds:\n\n| system | scenario | msg/s | p50 ms | p99 ms |\n|---|---|---:|---:|---:|\n");
        for (Measurement m : results) {
            sb.append(String.format(Locale.ROOT, "| %s | %s | %.0f | %s | %s |%n", m.system(), m.scenario(), m.perSecond(),
                    ms(m.p50Micros()), ms(m.p99Micros())));
        }
        return sb.toString();
    }

    private void ratio(StringBuilder sb, List<Summary> summaries, String scenario, String peer) {
        Summary ours = find(summaries, "switchboard", scenario);
        Summary theirs = find(summaries, peer, scenario);
        if (ours != null && theirs != null) {
            sb.append(String.format(Locale.ROOT, "- %s vs %s: throughput x%.2f", scenario, theirs.median().system(),
                    ours.median().perSecond() / theirs.median().perSecond()));
            if (!Double.isNaN(ours.medianP50()) && !Double.isNaN(theirs.medianP50())) {
                sb.append(String.format(Locale.ROOT, ", p50 latency x%.2f, p99 latency x%.2f",
                        ours.medianP50() / theirs.medianP50(), ours.medianP99() / theirs.medianP99()));
            }
            sb.append('\n');
        }
    }

    private void ratioAcross(StringBuilder sb, List<Summary> summaries, String ourScenario, String peer, String theirScenario) {
        Summary ours = find(summaries, "switchboard", ourScenario);
        Summary theirs = find(summaries, peer, theirScenario);
        if (ours != null && theirs != null) {
            sb.append(String.format(Locale.ROOT, "- %s (256 in flight) vs %s %s: throughput x%.2f%n",
                    ourScenario, theirs.median().system(), theirScenario, ours.median().perSecond() / theirs.median().perSecond()));
        }
    }

    private static Summary find(List<Summary> summaries, String systemPrefix, String scenario) {
        return summaries.stream().filter(s -> s.median().system().startsWith(systemPrefix) && s.median().scenario().equals(scenario))
                .findFirst().orElse(null);
    }

    private static String ms(double micros) {
        return Double.isNaN(micros) ? "-" : String.format(Locale.ROOT, "%.2f", micros / 1000.0);
    }

    private static void log(String what) {
        System.out.println("[store-bench] " + LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_TIME) + " " + what);
    }

    private static void deleteTree(Path root) throws Exception {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

}
