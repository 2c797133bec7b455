package dev.switchboard.testkit.kafka;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code bin/kafka-local --port P --data DIR --classpath-file F}: a single-node KRaft broker in the
 * foreground. Prints one line once the port accepts connections; SIGTERM (or Ctrl-C) stops the broker
 * with a controlled shutdown and then exits 0. If the broker dies on its own, exits with its code.
 */
public final class KafkaLocal {

    private KafkaLocal() {}

    public static void main(String[] args) throws Exception {
        int port = 9092;
        Path data = Path.of("kafka-data");
        Path classpathFile = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(value(args, ++i, "--port"));
                case "--data" -> data = Path.of(value(args, ++i, "--data"));
                case "--classpath-file" -> classpathFile = Path.of(value(args, ++i, "--classpath-file"));
                case "--help", "-h" -> {
                    System.out.println("usage: kafka-local [--port P (9092)] [--data DIR (./kafka-data)]");
                    return;
                }
                default -> fail("unknown option " + args[i]);
            }
        }
        if (port < 1 || port > 65535) {
            fail("--port must be 1..65535");
        }
        String classpath = classpathFile == null ? KafkaBroker.resolveClasspath() : Files.readString(classpathFile).trim();
        KafkaBroker broker = KafkaBroker.start(classpath, data, port, "-Xmx1g");
        AtomicBoolean stopping = new AtomicBoolean();
        Thread stopper = new Thread(() -> {
            stopping.set(true);
            broker.stop();
            System.err.println("kafka-local: stopped");
        }, "kafka-local-stop");
        Runtime.getRuntime().addShutdownHook(stopper);
        System.out.println("kafka-local: ready on " + broker.bootstrapServers() + " (data " + broker.dir()
                + ", log " + broker.dir().resolve("broker.log") + ")");
        System.out.flush();
        int code = broker.waitFor();
        if (stopping.get()) {
            return; // SIGTERM: the shutdown hook stops the broker and the JVM ends after it
        }
        System.err.println("kafka-local: the broker exited with " + code + ", see " + broker.dir().resolve("broker.log"));
        Runtime.getRuntime().halt(code == 0 ? 1 : code);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            fail(option + " needs a value");
        }
        return args[i];
    }

    private static void fail(String message) {
        System.err.println("kafka-local: " + message);
        System.exit(2);
    }
}
