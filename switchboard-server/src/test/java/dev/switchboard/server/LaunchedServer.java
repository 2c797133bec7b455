package dev.switchboard.server;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bin/switchboard} started as a user starts it: a separate process, from the repository's
 * launcher, with its standard output and error collected line by line.
 */
final class LaunchedServer implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("listening on (https?)://([^ ]+):(\\d+) ");

    final Process process;
    private final List<String> out = Collections.synchronizedList(new ArrayList<>());
    private final List<String> err = Collections.synchronizedList(new ArrayList<>());
    private final long startedNanos = System.nanoTime();
    private final List<Thread> pumps = new ArrayList<>();

    private LaunchedServer(Process process) {
        this.process = process;
        pumps.add(pump(process.getInputStream(), out, "out"));
        pumps.add(pump(process.getErrorStream(), err, "err"));
    }

    /** The checked-in launcher, found from the module directory (Failsafe's working directory) upwards. */
    static Path launcher() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("bin/switchboard");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("bin/switchboard not found above " + Path.of("").toAbsolutePath());
    }

    static LaunchedServer start(Path workDir, Map<String, String> env, String... args) {
        return start(launcher(), workDir, env, args);
    }

    /** Starts the given launcher (for example the release archive's bin/switchboard). */
    static LaunchedServer start(Path launcher, Path workDir, Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>();
        command.add(launcher.toString());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("SWITCHBOARD_"));
        pb.environment().putAll(env);
        try {
            return new LaunchedServer(pb.start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Thread pump(InputStream in, List<String> lines, String name) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // The process ended.
            }
        }, "launched-server-" + name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    List<String> out() {
        synchronized (out) {
            return List.copyOf(out);
        }
    }

    List<String> err() {
        synchronized (err) {
            return List.copyOf(err);
        }
    }

    String transcript() {
        return "--- stdout\n" + String.join("\n", out()) + "\n--- stderr\n" + String.join("\n", err());
    }

    /**
     * How long a launched JVM may take to print its address. Seconds on a quiet machine; minutes when
     * several builds share two cores and the first launch also writes the class-data archive.
     */
    static final Duration STARTUP = Duration.ofMinutes(3);

    /** Waits for the "listening on" line and returns the base URL, e.g. http://127.0.0.1:41234. */
    String awaitListening(Duration timeout) {
        try {
            return awaitListeningOrTimeout(timeout);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("server did not print its address within " + timeout + "\n" + transcript(), e);
        }
    }

    private String awaitListeningOrTimeout(Duration timeout) {
        String[] base = new String[1];
        await().atMost(timeout).pollInterval(Duration.ofMillis(20)).until(() -> {
            for (String line : out()) {
                Matcher m = LISTENING.matcher(line);
                if (m.find()) {
                    base[0] = m.group(1) + "://" + m.group(2) + ":" + m.group(3);
                    return true;
                }
            }
            if (!process.isAlive()) {
                throw new AssertionError("server exited " + process.exitValue() + " before listening\n" + transcript());
            }
            return false;
        });
        return base[0];
    }

    /** Polls /health/ready until 200; returns the time from process start to ready. */
    Duration awaitReady(String base, HttpClient http) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> {
            if (!process.isAlive()) {
                throw new AssertionError("server exited " + process.exitValue() + "\n" + transcript());
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/health/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
                return r.statusCode() == 200;
            } catch (IOException e) {
                return false;
            }
        });
        return Duration.ofNanos(System.nanoTime() - startedNanos);
    }

    /**
     * Sends SIGTERM, as an operator or a service manager would. Through the ProcessHandle: Process.destroy()
     * sends the same signal but also closes our ends of the pipes, losing what the server logs while it
     * shuts down.
     */
    void sigterm() {
        process.toHandle().destroy();
    }

    /** Waits for the process to end; returns its exit code. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("server did not exit within " + timeout + "\n" + transcript());
        }
        // Let the pumps drain what the process wrote last.
        for (Thread t : pumps) {
            t.join(2_000);
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
