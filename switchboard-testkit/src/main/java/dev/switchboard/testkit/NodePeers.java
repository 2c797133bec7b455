package dev.switchboard.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs scripts that use the official Node.js peers (engine.io-client, socket.io-client, the socket.io
 * server as an oracle, playwright-core) installed from the pinned {@code node/package-lock.json} at the
 * repository root. {@code .ci/run} installs them with {@code npm ci}; a developer does the same once.
 *
 * <p>A script reports through its exit code and output; {@link Result#assertSucceeded()} turns a
 * failure into an {@link AssertionError} carrying everything the script printed, so a failing
 * {@code node --test} run explains itself in the Surefire report.
 */
public final class NodePeers {

    private NodePeers() {}

    /** The repository's {@code node/} folder, found by walking up from the working directory. */
    public static Path home() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            Path candidate = p.resolve("node");
            if (Files.isDirectory(candidate.resolve("node_modules"))) {
                return candidate;
            }
        }
        throw new IllegalStateException(
                "node/node_modules not found above " + dir + ": run 'npm ci --prefix node' at the repository root");
    }

    /**
     * Runs {@code node [args...]} with {@code NODE_PATH} pointing at the pinned peers.
     *
     * @param script   the script (absolute, or relative to the working directory)
     * @param env      extra environment, e.g. the port of the server under test
     * @param timeout  the process is killed past this, and the result says so
     */
    public static Result run(Path script, Map<String, String> env, Duration timeout, String... args) {
        List<String> command = new ArrayList<>();
        command.add("node");
        command.addAll(List.of(args));
        command.add(script.toAbsolutePath().toString());
        return exec(command, env, timeout);
    }

    /** Runs a script with Node's built-in test runner ({@code node --test}), which prints TAP-like results. */
    public static Result test(Path script, Map<String, String> env, Duration timeout) {
        return run(script, env, timeout, "--test", "--test-reporter=spec", "--test-concurrency=1");
    }

    /** Starts a long-running Node process (an oracle server, say); the caller destroys it. */
    public static Process start(Path script, Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>();
        command.add("node");
        command.add(script.toAbsolutePath().toString());
        command.addAll(List.of(args));
        ProcessBuilder pb = builder(command, env);
        try {
            return pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start node", e);
        }
    }

    private static ProcessBuilder builder(List<String> command, Map<String, String> env) {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("NODE_PATH", home().resolve("node_modules").toString());
        pb.environment().putAll(env);
        return pb;
    }

    private static Result exec(List<String> command, Map<String, String> env, Duration timeout) {
        ProcessBuilder pb = builder(command, env);
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start node (is Node.js 20+ on the PATH?)", e);
        }
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
        boolean finished;
        try {
            finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + command, e);
        }
        if (!finished) {
            process.destroyForcibly();
        }
        String text = output.completeOnTimeout("<output not read>", 5, TimeUnit.SECONDS).join();
        return new Result(command, finished ? process.exitValue() : -1, !finished, text);
    }

    private static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "<output lost: " + e + ">";
        }
    }

    /** What a finished (or killed) Node process left behind. */
    public record Result(List<String> command, int exitCode, boolean timedOut, String output) {

        public boolean succeeded() {
            return !timedOut && exitCode == 0;
        }

        /** Throws an {@link AssertionError} with the whole output unless the script exited 0 in time. */
        public Result assertSucceeded() {
            if (!succeeded()) {
                throw new AssertionError(String.join(" ", command)
                        + (timedOut ? " timed out" : " exited " + exitCode) + "\n" + output);
            }
            return this;
        }
    }
}
