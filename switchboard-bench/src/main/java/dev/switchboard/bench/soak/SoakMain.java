package dev.switchboard.bench.soak;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The soak test: {@code switchboard-bench/run soak --minutes N [--clients C]}. Starts {@code bin/switchboard}
 * (its own process, data in a temporary directory, one managed namespace), runs {@link SoakLoad} against
 * it for N minutes and, every minute, records the server's heap after a full GC, direct memory, open
 * descriptors and threads. Writes {@code switchboard-bench/results/<time>-soak/report.md} and exits 1 when
 * a figure trends upward ({@link Trend}), 0 otherwise.
 */
public final class SoakMain {

    private static final Pattern USED_KB = Pattern.compile("used (\\d+)K");

    private SoakMain() {}

    public static void main(String[] args) throws Exception {
        int minutes = Integer.parseInt(option(args, "--minutes", "60"));
        int clients = Integer.parseInt(option(args, "--clients", "40"));
        if (minutes < 1 || clients < 1) {
            System.err.println("usage: run soak --minutes N (>= 1) [--clients C] [--repo DIR]");
            System.exit(2);
        }
        Path repo = Path.of(option(args, "--repo", ".")).toAbsolutePath().normalize();
        Path work = Files.createTempDirectory("switchboard-soak");
        Path conf = work.resolve("soak.conf");
        Files.writeString(conf, """
                switchboard {
                  demo.enabled = false
                  managed-namespaces = [ { namespace = "/", subscribe = ["soak-*"], publish = ["soak-*"] } ]
                }
                """);
        int port = freePort();
        Process server = new ProcessBuilder(repo.resolve("bin/switchboard").toString(), "--config", conf.toString(),
                "--port", Integer.toString(port), "--data", work.resolve("data").toString())
                .redirectErrorStream(true).redirectOutput(work.resolve("server.log").toFile()).start();
        List<Sample> samples = new ArrayList<>();
        long pid = server.pid();
        try (SoakLoad load = new SoakLoad(port, clients)) {
            awaitReady(port, server);
            System.out.printf("soak: %d minute(s), %d churning clients, server pid %d on port %d (log %s)%n",
                    minutes, clients, pid, port, work.resolve("server.log"));
            load.start();
            for (int minute = 1; minute <= minutes; minute++) {
                Thread.sleep(TimeUnit.MINUTES.toMillis(1)); // the sampling period itself, not a wait for a condition
                if (!server.isAlive()) {
                    throw new IllegalStateException("the server exited with " + server.exitValue() + "; see " + work);
                }
                Sample s = sample(minute, pid, port);
                samples.add(s);
                System.out.println(s.line() + String.format("  | clients connected %d, events received %d, acked %d,"
                                + " publishes %d (failed %d), abusive connections %d", load.connects.get(),
                        load.received.get(), load.acked.get(), load.publishes.get(), load.publishFailures.get(),
                        load.garbage.get()));
            }
        } finally {
            server.destroy();
            if (!server.waitFor(30, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
        List<String> problems = Trend.check(samples);
        Path out = repo.resolve("switchboard-bench/results/"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-soak");
        Files.createDirectories(out);
        StringBuilder report = new StringBuilder("# Soak, " + minutes + " minute(s), " + clients + " churning clients\n\n"
                + "Machine load average at the end: " + Files.readString(Path.of("/proc/loadavg")).split(" ")[0] + "\n\n```\n");
        samples.forEach(s -> report.append(s.line()).append('\n'));
        report.append("```\n\n").append(problems.isEmpty() ? "No figure trends upward.\n"
                : "Trending upward:\n" + String.join("\n", problems.stream().map(p -> "- " + p).toList()) + "\n");
        Files.writeString(out.resolve("report.md"), report.toString());
        System.out.println(problems.isEmpty() ? "soak: no figure trends upward (" + out.resolve("report.md") + ")"
                : "soak: FAILED\n" + String.join("\n", problems));
        System.exit(problems.isEmpty() ? 0 : 1);
    }

    private static Sample sample(int minute, long pid, int port) throws Exception {
        run("jcmd", Long.toString(pid), "GC.run");
        Matcher m = USED_KB.matcher(run("jcmd", Long.toString(pid), "GC.heap_info"));
        long heap = m.find() ? Long.parseLong(m.group(1)) : -1;
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        long direct = (long) (metric(metrics, "jvm_buffer_memory_used_bytes", "id=\"direct\"") / 1024);
        long sessions = (long) metric(metrics, "switchboard_engineio_sessions", "");
        long fds;
        try (var s = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            fds = s.count();
        }
        long threads = Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                .filter(l -> l.startsWith("Threads:")).mapToLong(l -> Long.parseLong(l.substring(8).trim())).findFirst().orElse(-1);
        return new Sample(minute, heap, direct, fds, threads, sessions);
    }

    private static double metric(String text, String name, String labels) {
        return text.lines().filter(l -> (l.startsWith(name + "{") || l.startsWith(name + " ")) && l.contains(labels))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(-1);
    }

    private static void awaitReady(int port, Process server) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                throw new IllegalStateException("the server exited with " + server.exitValue() + " while starting");
            }
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the server was not ready within 3 minutes");
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        p.waitFor(60, TimeUnit.SECONDS);
        return new String(out, StandardCharsets.UTF_8);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String option(String[] args, String name, String otherwise) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return otherwise;
    }
}
