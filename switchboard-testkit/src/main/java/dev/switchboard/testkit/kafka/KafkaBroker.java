package dev.switchboard.testkit.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A single-node Kafka broker in KRaft mode (broker and controller in one process) run as a CHILD JVM
 * from the Maven-resolved jars listed by {@code switchboard-testkit/kafka-broker/pom.xml}: never in
 * the caller's JVM, so a broker and the code under test share neither a heap nor a Scala library.
 * Used by {@code bin/kafka-local}, by the tests of the Kafka store and by the store benchmark.
 *
 * <p>The data directory keeps the broker's configuration, its cluster id and its logs: starting again
 * on the same directory (after {@link #stop()} or {@link #kill()}) brings the same topics and offsets
 * back. The controller port is chosen once and kept in {@code server.properties}, because a KRaft
 * quorum formatted with {@code --standalone} records its voter's endpoint.
 *
 * <p>Not thread-safe: one owner starts and stops it.
 */
public final class KafkaBroker implements AutoCloseable {

    /** The broker's own port is ready well within this on a loaded 2-core machine (a JVM start plus KRaft election). */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Pattern CONTROLLER = Pattern.compile("controller\\.quorum\\.bootstrap\\.servers=127\\.0\\.0\\.1:(\\d+)");

    private final String classpath;
    private final Path dir;
    private final int port;
    private final String heap;
    private Process process;

    private KafkaBroker(String classpath, Path dir, int port, String heap) {
        this.classpath = classpath;
        this.dir = dir;
        this.port = port;
        this.heap = heap;
    }

    /**
     * Formats {@code dir} if it holds no broker yet, starts the broker on {@code port} (0: a free one)
     * and returns once the port accepts connections.
     *
     * @param classpath the broker's class path (see {@link #resolveClasspath()})
     */
    public static KafkaBroker start(String classpath, Path dir, int port) {
        return start(classpath, dir, port, "-Xmx512m");
    }

    /** As {@link #start(String, Path, int)} with the broker JVM's heap option, e.g. {@code -Xmx1g}. */
    public static KafkaBroker start(String classpath, Path dir, int port, String heap) {
        try {
            Files.createDirectories(dir);
            KafkaBroker b = new KafkaBroker(classpath, dir.toAbsolutePath(), port == 0 ? freePort() : port, heap);
            b.configure();
            b.launch();
            return b;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts a broker on a free port in {@code dir} with the class path from {@link #resolveClasspath()}. */
    public static KafkaBroker startForTests(Path dir) {
        return start(resolveClasspath(), dir, 0);
    }

    public int port() {
        return port;
    }

    /** {@code 127.0.0.1:port}, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public Path dir() {
        return dir;
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Stops the broker with SIGTERM (Kafka's controlled shutdown) and waits for it to exit. */
    public void stop() {
        end(false);
    }

    /** Kills the broker with SIGKILL, as a crash would: nothing is flushed beyond what the OS had. */
    public void kill() {
        end(true);
    }

    /** Starts the broker again on the same port and data directory (after {@link #stop} or {@link #kill}). */
    public void restart() {
        if (isRunning()) {
            throw new IllegalStateException("the broker is running");
        }
        try {
            launch();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits for the broker process to exit on its own (used by {@code bin/kafka-local}); its exit code. */
    int waitFor() throws InterruptedException {
        return process.waitFor();
    }

    @Override
    public void close() {
        stop();
    }

    private void end(boolean kill) {
        Process p = process;
        if (p == null || !p.isAlive()) {
            return;
        }
        if (kill) {
            p.destroyForcibly();
        } else {
            p.destroy();
        }
        try {
            // A controlled shutdown of a single node takes a few seconds; past a minute it is stuck.
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void configure() throws IOException {
        Path props = dir.resolve("server.properties");
        int controllerPort = 0;
        if (Files.exists(props)) {
            Matcher m = CONTROLLER.matcher(Files.readString(props));
            if (m.find()) {
                controllerPort = Integer.parseInt(m.group(1));
            }
        }
        if (controllerPort == 0) {
            controllerPort = freePort();
        }
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
        if (!Files.exists(dir.resolve("logs").resolve("meta.properties"))) {
            Path log = dir.resolve("format.log");
            Process format = java("-Xmx256m", "kafka.tools.StorageTool", "format", "-t", clusterId(), "-c", props.toString(), "--standalone")
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                if (!format.waitFor(120, TimeUnit.SECONDS) || format.exitValue() != 0) {
                    format.destroyForcibly();
                    throw new IllegalStateException("formatting the Kafka log directory failed:\n" + Files.readString(log, StandardCharsets.UTF_8));
                }
            } catch (InterruptedException e) {
                format.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while formatting " + dir, e);
            }
        }
    }

    private void launch() throws IOException {
        Path log = dir.resolve("broker.log");
        process = java(heap, "kafka.Kafka", dir.resolve("server.properties").toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        try {
            while (!accepts(port)) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("the Kafka broker exited (" + process.exitValue() + "), see " + log);
                }
                if (System.nanoTime() > deadline) {
                    process.destroyForcibly();
                    throw new IllegalStateException("the Kafka broker did not listen within " + START_TIMEOUT + ", see " + log);
                }
                Thread.sleep(100); // a port of another process: there is no event to wait on
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the broker", e);
        }
    }

    /** A JVM on the broker's class path; tools of {@code kafka-tools} run the same way. */
    public ProcessBuilder java(String heapOption, String... mainAndArgs) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), heapOption,
                "-Dlog4j2.configurationFile=" + dir.resolve("log4j2.properties"), "-cp", classpath));
        cmd.addAll(List.of(mainAndArgs));
        return new ProcessBuilder(cmd).directory(dir.toFile());
    }

    /**
     * The broker's class path: {@code kafka-broker/target/classpath.txt} of the test kit, written by
     * {@code mvn -f switchboard-testkit/kafka-broker/pom.xml dependency:build-classpath} (which this
     * runs when the file is missing or older than that POM).
     */
    public static String resolveClasspath() {
        Path pom = brokerPom();
        Path out = pom.resolveSibling("target").resolve("classpath.txt");
        try {
            if (!Files.exists(out) || Files.getLastModifiedTime(out).compareTo(Files.getLastModifiedTime(pom)) < 0) {
                Process mvn = new ProcessBuilder("mvn", "-B", "-q", "-f", pom.toString(), "dependency:build-classpath",
                        "-Dkafka.version=" + kafkaVersion(pom), "-Dmdep.outputFile=" + out).redirectErrorStream(true).start();
                String output = new String(mvn.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!mvn.waitFor(10, TimeUnit.MINUTES) || mvn.exitValue() != 0) {
                    throw new IllegalStateException("resolving the Kafka broker's jars failed:\n" + output);
                }
            }
            return Files.readString(out).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while resolving the broker's jars", e);
        }
    }

    /** The one pinned Kafka version: {@code kafka.version} of the parent POM. */
    static String kafkaVersion(Path brokerPom) throws IOException {
        Path parent = brokerPom.getParent().getParent().getParent().resolve("pom.xml");
        Matcher m = Pattern.compile("<kafka\\.version>([^<]+)</kafka\\.version>").matcher(Files.readString(parent));
        if (!m.find()) {
            throw new IllegalStateException("no <kafka.version> in " + parent);
        }
        return m.group(1).trim();
    }

    private static Path brokerPom() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            Path candidate = p.resolve("switchboard-testkit").resolve("kafka-broker").resolve("pom.xml");
            if (Files.exists(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("switchboard-testkit/kafka-broker/pom.xml not found above " + dir);
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
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
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
}
