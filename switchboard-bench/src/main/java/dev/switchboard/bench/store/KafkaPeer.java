package dev.switchboard.bench.store;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import dev.switchboard.testkit.kafka.KafkaBroker;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A single-node Kafka broker in KRaft mode (the testkit's {@link KafkaBroker}), started from the
 * Maven-resolved jars of {@code switchboard-testkit/kafka-broker} in a temporary directory on an ephemeral port, and
 * Kafka's own {@code ProducerPerformance} run against it. Every process is killed by {@link #close()}.
 */
final class KafkaPeer implements AutoCloseable {

    private static final Pattern SUMMARY = Pattern.compile(
            "(\\d+) records sent, ([\\d.]+) records/sec \\(([\\d.]+) MB/sec\\), ([\\d.]+) ms avg latency, ([\\d.]+) ms max latency, "
                    + "(\\d+) ms 50th, (\\d+) ms 95th, (\\d+) ms 99th");

    private final Path dir;
    private final KafkaBroker broker;
    private final List<Process> tools = new ArrayList<>();

    KafkaPeer(String classpath, Path dir) {
        this.dir = dir;
        this.broker = KafkaBroker.start(classpath, dir, 0, "-Xmx1g");
    }

    int port() {
        return broker.port();
    }

    /** Creates a one-partition topic; {@code configs} are topic configs like {@code flush.messages=1}. */
    void createTopic(String topic, String... configs) throws Exception {
        List<String> args = new ArrayList<>(List.of("org.apache.kafka.tools.TopicCommand", "--bootstrap-server", broker.bootstrapServers(),
                "--create", "--topic", topic, "--partitions", "1", "--replication-factor", "1"));
        for (String c : configs) {
            args.add("--config");
            args.add(c);
        }
        run(120, args.toArray(String[]::new));
    }

    /**
     * Runs {@code ProducerPerformance} with acks=all and a producer buffer of {@code window} records, so
     * that at most about as many records are in flight as in the other systems' runs.
     */
    Measurement producerPerformance(String scenario, String topic, int records, int recordBytes, int window) throws Exception {
        List<String> args = new ArrayList<>(List.of("org.apache.kafka.tools.ProducerPerformance", "--topic", topic,
                "--num-records", String.valueOf(records), "--record-size", String.valueOf(recordBytes), "--throughput", "-1",
                "--producer-props", "bootstrap.servers=" + broker.bootstrapServers(), "acks=all"));
        if (window > 0) {
            args.add("buffer.memory=" + Math.max(65536, (long) window * recordBytes));
        }
        String out = run(600, args.toArray(String[]::new));
        // The periodic lines have no percentiles; only the final summary matches.
        Matcher m = SUMMARY.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("no ProducerPerformance summary in:\n" + out);
        }
        long sent = Long.parseLong(m.group(1));
        double perSec = Double.parseDouble(m.group(2));
        return new Measurement("kafka " + version(), scenario, sent, sent / perSec, recordBytes,
                Double.parseDouble(m.group(6)) * 1000, Double.parseDouble(m.group(8)) * 1000,
                window > 0 ? "ProducerPerformance, acks=all, buffer.memory=" + window + " records"
                        : "ProducerPerformance, acks=all, default producer (32 MB buffer)");
    }

    /**
     * Reads {@code records} records of a topic from the start with {@code ConsumerPerformance}; the rate
     * is its fetch rate (without the group join).
     */
    Measurement consumerPerformance(String scenario, String topic, long records, int recordBytes) throws Exception {
        String out = run(600, "org.apache.kafka.tools.ConsumerPerformance", "--bootstrap-server", broker.bootstrapServers(),
                "--topic", topic, "--num-records", String.valueOf(records), "--timeout", "60000");
        // Header then one line: start.time, end.time, MB, MB.sec, nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
        String[] lines = out.strip().split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            String[] f = lines[i].split(",\\s*");
            if (f.length >= 10 && f[4].trim().matches("\\d+")) {
                long n = Long.parseLong(f[4].trim());
                double fetchMs = Double.parseDouble(f[7].trim());
                return new Measurement("kafka " + version(), scenario, n, fetchMs / 1000.0, recordBytes, Double.NaN, Double.NaN,
                        "ConsumerPerformance from offset 0, fetch time (group join excluded), page cache warm");
            }
        }
        throw new IllegalStateException("no ConsumerPerformance result in:\n" + out);
    }

    static String version() {
        return "4.2.0"; // kafka.version of the parent POM
    }

    private String run(int timeoutSeconds, String... mainAndArgs) throws Exception {
        Path log = Files.createTempFile(dir, "tool", ".log");
        Process p = broker.java("-Xmx512m", mainAndArgs).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        tools.add(p);
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(mainAndArgs[0] + " timed out, see " + log);
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IllegalStateException(mainAndArgs[0] + " failed (" + p.exitValue() + "):\n" + out);
        }
        return out;
    }

    @Override
    public void close() {
        for (Process p : tools) {
            p.destroyForcibly();
        }
        broker.kill();
    }
}
