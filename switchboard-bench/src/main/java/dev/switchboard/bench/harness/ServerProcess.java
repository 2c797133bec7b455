package dev.switchboard.bench.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One running server under test, in its own process (tree), listening on 127.0.0.1. Stdout and stderr
 * go to a log file in the results folder.
 */
final class ServerProcess implements AutoCloseable {

    /** Server ports come from here: above the registered services we might meet, below Linux's ephemeral range (32768+). */
    private static final int PORT_LOW = 20_000;
    private static final int PORT_HIGH = 32_000;

    private static final Pattern USED_KB = Pattern.compile("used (\\d+)K");

    private final ServerSpec spec;
    private final Process process;
    private final int port;
    private final Path log;

    private ServerProcess(ServerSpec spec, Process process, int port, Path log) {
        this.spec = spec;
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts the server on a free port and waits until it accepts TCP connections (at most 60 s). */
    static ServerProcess start(ServerSpec spec, Heartbeat hb, Path log) throws IOException {
        return start(spec, hb, log, Duration.ofSeconds(60));
    }

    /**
     * Starts the server on a free port and waits until it accepts TCP connections, at most
     * {@code startup} (a launcher such as {@code bin/switchboard} may build on its first start).
     */
    static ServerProcess start(ServerSpec spec, Heartbeat hb, Path log, Duration startup) throws IOException {
        int port = freePort();
        ProcessBuilder pb = new ProcessBuilder(spec.commandFor(port, hb))
                .directory(spec.workDir().toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(spec.env());
        Process p = pb.start();
        ServerProcess sp = new ServerProcess(spec, p, port, log);
        Children.register(p);
        long deadline = System.nanoTime() + startup.toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IOException(spec.name() + " exited with " + p.exitValue() + " before listening; see " + log);
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return sp;
            } catch (IOException notYet) {
                p.onExit().completeOnTimeout(p, 100, TimeUnit.MILLISECONDS).join();
            }
        }
        sp.close();
        throw new IOException(spec.name() + " did not listen on port " + port + " within " + startup + "; see " + log);
    }

    ServerSpec spec() {
        return spec;
    }

    int port() {
        return port;
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Resident memory of the server's process tree, KiB. */
    long rssKb() {
        return ProcStats.rssKb(process.toHandle());
    }

    /** CPU time of the server's process tree, µs (resolution 10 ms per process). */
    long cpuMicros() {
        return ProcStats.cpuMicros(process.toHandle());
    }

    /** CPU time of the server's process tree, ms. */
    long cpuMillis() {
        return ProcStats.cpuMillis(process.toHandle());
    }

    /** The process doing the work: the java or node process in the tree (a wrapper script's child), if any. */
    Optional<ProcessHandle> worker() {
        String want = "jvm".equals(spec.heap()) ? "java" : "node";
        ProcessHandle root = process.toHandle();
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(root), root.descendants())
                .filter(h -> h.info().command().map(c -> c.equals(want) || c.endsWith("/" + want)).orElse(false))
                .findFirst();
    }

    /** Pid of the worker process (or of the started process when there is none). */
    long workerPid() {
        return worker().orElse(process.toHandle()).pid();
    }

    /** "open/soft-limit" descriptors of the worker process. */
    String fds() {
        long pid = worker().orElse(process.toHandle()).pid();
        String limit = dev.switchboard.bench.load.FdLimits.nofile(Long.toString(pid));
        return ProcStats.openFds(pid) + " open, nofile " + limit;
    }

    /**
     * Heap in use after a full GC, KiB, or -1 when it cannot be read: {@code jcmd GC.run} then
     * {@code GC.heap_info} for a JVM; the BENCH_STATS hook (global.gc(), process.memoryUsage()) for node.
     */
    long heapAfterGcKb() {
        try {
            if ("jvm".equals(spec.heap())) {
                Optional<ProcessHandle> java = worker();
                if (java.isEmpty()) {
                    return -1; // never jcmd a non-JVM: the attach signal (SIGQUIT) would kill it
                }
                long pid = java.get().pid();
                run(List.of("jcmd", Long.toString(pid), "GC.run"));
                String info = run(List.of("jcmd", Long.toString(pid), "GC.heap_info"));
                Matcher m = USED_KB.matcher(info);
                return m.find() ? Long.parseLong(m.group(1)) : -1;
            }
            if ("node".equals(spec.heap())) {
                // HTTP/1.1: an h2c upgrade request would reach Node's "upgrade" event, not the stats hook
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(5)).build();
                HttpResponse<String> res = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/__bench/stats")).timeout(Duration.ofSeconds(30)).build(),
                        HttpResponse.BodyHandlers.ofString());
                Matcher m = Pattern.compile("\"heapUsed\":(\\d+)").matcher(res.body());
                return m.find() ? Long.parseLong(m.group(1)) / 1024 : -1;
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return -1;
    }

    /**
     * For a JVM server, writes {@code jcmd GC.class_histogram} (a full GC first, so only live objects)
     * next to the server's log as {@code <log name>-histogram-<n>.txt}; empty for other servers or when
     * it cannot be taken.
     */
    Optional<Path> classHistogram() {
        if (!"jvm".equals(spec.heap())) {
            return Optional.empty();
        }
        Optional<ProcessHandle> java = worker();
        if (java.isEmpty()) {
            return Optional.empty();
        }
        try {
            String histogram = run(List.of("jcmd", Long.toString(java.get().pid()), "GC.class_histogram"));
            String base = log.getFileName().toString().replaceFirst("\\.log$", "");
            Path file = log.resolveSibling(base + "-histogram-" + java.get().pid() + ".txt");
            Files.writeString(file, histogram);
            return Optional.of(file);
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    Path log() {
        return log;
    }

    @Override
    public void close() {
        process.toHandle().descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Children.unregister(process);
    }

    /**
     * A port free on every interface and outside the ephemeral range: the load generator's own
     * connections take source ports from that range on 127.0.0.2+, and a server that binds the
     * wildcard address (as {@code bin/switchboard echo} does) cannot bind a port one of them holds.
     */
    private static int freePort() {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = random.nextInt(PORT_LOW, PORT_HIGH);
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress("0.0.0.0", port));
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new UncheckedIOException(new IOException("no free port in " + PORT_LOW + ".." + PORT_HIGH));
    }
}
