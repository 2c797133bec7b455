package dev.switchboard.bench.store;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A single-node Kafka broker in KRaft mode (broker and controller in one process), started from the
 * Maven-resolved jars of {@code peers/store-peers} in a temporary directory on ephemeral ports, and
 * Kafka's own {@code ProducerPerformance} run against it. Every process is killed by {@link #close()}.
 */
final class KafkaPeer implements AutoCloseable {

    private static final Pattern SUMMARY = Pattern.compile(
            "(\\d+) records sent, ([\\d.]+) records/sec \\(([\\d.]+) MB/sec\\), ([\\d.]+) ms avg latency, ([\\d.]+) ms max latency, "
                    + "(\\d+) ms 50th, (\\d+) ms 95th, (\\d+) ms 99th");

    private final String classpath;
    private final Path dir;
    private final int port;
    private final Process broker;
    private final List<Process> tools = new ArrayList<>();

    KafkaPeer(String classpath, Path dir) throws Exception {
        this.classpath = classpath;
        this.dir = dir;
        this.port = freePort();
        int controllerPort = freePort();
        Path props = dir.resolve("server.properties");
        Files.writeString(props, String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + dir.resolve("logs"),
                "num.partitions=1",
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                ""));
        Files.writeString(dir.resolve("log4j2.properties"), String.join("\n",
                "status = error",
                "appender.out.type = Console",
                "appender.out.name = OUT",
                "appender.out.layout.type = PatternLayout",
                "appender.out.layout.pattern = [%d] %p %m (%c)%n",
                "rootLogger.level = warn",
                "rootLogger.appenderRef.out.ref = OUT",
                ""));
        run(60, "kafka.tools.StorageTool", "format", "-t", clusterId(), "-c", props.toString(), "--standalone");
        broker = java("-Xmx1g", "kafka.Kafka", props.toString()).redirectOutput(dir.resolve("broker.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!accepts(port)) {
            if (!broker.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("Kafka broker did not start, see " + dir.resolve("broker.log"));
            }
            Thread.sleep(200); // polling a port of another process: no event to wait on
        }
    }

    int port() {
        return port;
    }

    /** Creates a one-partition topic; {@code configs} are topic configs like {@code flush.messages=1}. */
    void createTopic(String topic, String... configs) throws Exception {
        List<String> args = new ArrayList<>(List.of("org.apache.kafka.tools.TopicCommand", "--bootstrap-server", "127.0.0.1:" + port,
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
                "--producer-props", "bootstrap.servers=127.0.0.1:" + port, "acks=all"));
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
        String out = run(600, "org.apache.kafka.tools.ConsumerPerformance", "--bootstrap-server", "127.0.0.1:" + port,
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
        return "4.2.0";
    }

    private String run(int timeoutSeconds, String... mainAndArgs) throws Exception {
        Path log = Files.createTempFile(dir, "tool", ".log");
        Process p = java("-Xmx512m", mainAndArgs).redirectErrorStream(true).redirectOutput(log.toFile()).start();
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

    private ProcessBuilder java(String heap, String... mainAndArgs) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), heap,
                "-Dlog4j2.configurationFile=" + dir.resolve("log4j2.properties"), "-cp", classpath));
        cmd.addAll(List.of(mainAndArgs));
        return new ProcessBuilder(cmd).directory(dir.toFile());
    }

    private static String clusterId() {
        byte[] b = new byte[16];
        SecureRandom r = new SecureRandom();
        String id;
        do {
            r.nextBytes(b);
            id = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        } while (id.startsWith("-"));
        return id;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        for (Process p : tools) {
            p.destroyForcibly();
        }
        broker.destroyForcibly();
        try {
            broker.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
