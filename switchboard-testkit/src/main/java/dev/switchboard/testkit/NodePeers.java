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
import java.util.Optional;
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
 *
 * <p>A {@code node --test} run exits 0 when every test was skipped or filtered out, so an exit code
 * alone proves nothing: {@link #test} states how many tests must pass, and its result is only a
 * success when the runner's own summary says so (see {@link NodeTestSummary}).
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
     * Runs {@code node [args...] script} with {@code NODE_PATH} pointing at the pinned peers. For a
     * plain script that reports through its exit code; test files go through {@link #test}.
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
        return exec(command, env, timeout, null, null, null);
    }

    /**
     * Runs a test file with Node's built-in test runner, one test at a time. Its readable (spec)
     * report goes to the output; its TAP report goes to a temporary file whose summary
     * ({@code # tests}, {@code # pass}, ...) {@link Result#assertSucceeded()} checks against
     * {@code expected}.
     *
     * @param runnerArgs extra runner options placed before the script, e.g. {@code --test-name-pattern=x}
     */
    public static Result test(Path script, Map<String, String> env, Duration timeout, Expected expected,
            String... runnerArgs) {
        Path tap;
        try {
            tap = Files.createTempFile("node-test-", ".tap");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the TAP report file", e);
        }
        try {
            List<String> command = new ArrayList<>(List.of("node", "--test", "--test-concurrency=1",
                    "--test-reporter=spec", "--test-reporter-destination=stdout",
                    "--test-reporter=tap", "--test-reporter-destination=" + tap));
            command.addAll(List.of(runnerArgs));
            command.add(script.toAbsolutePath().toString());
            return exec(command, env, timeout, tap, script.toAbsolutePath().toString(), expected);
        } finally {
            try {
                Files.deleteIfExists(tap);
            } catch (IOException ignored) {
                // a leftover file in the temp folder is harmless
            }
        }
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

    private static Result exec(List<String> command, Map<String, String> env, Duration timeout, Path tap,
            String file, Expected expected) {
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
        Optional<NodeTestSummary> summary = Optional.empty();
        if (tap != null) {
            try {
                summary = NodeTestSummary.parse(Files.readString(tap, StandardCharsets.UTF_8), file);
            } catch (IOException e) {
                text += "\n<TAP report unreadable: " + e + ">";
            }
        }
        return new Result(command, finished ? process.exitValue() : -1, !finished, text, summary,
                Optional.ofNullable(expected));
    }

    private static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "<output lost: " + e + ">";
        }
    }

    /**
     * What a {@code node --test} run must report: how many tests pass (a range, usually one exact
     * number) and how many may be skipped (none unless said). Failed, cancelled and todo tests are
     * never accepted.
     */
    public record Expected(int minPassed, int maxPassed, int maxSkipped) {

        public Expected {
            if (minPassed < 1 || maxPassed < minPassed || maxSkipped < 0) {
                throw new IllegalArgumentException("need 1 <= minPassed <= maxPassed and maxSkipped >= 0, got "
                        + minPassed + ".." + maxPassed + " skipped<=" + maxSkipped);
            }
        }

        /** Exactly {@code n} tests pass and none is skipped. */
        public static Expected passed(int n) {
            return new Expected(n, n, 0);
        }

        /** At least {@code n} tests pass and none is skipped (for files that generate their cases). */
        public static Expected atLeast(int n) {
            return new Expected(n, Integer.MAX_VALUE, 0);
        }

        /** The same, allowing up to {@code n} skipped tests. */
        public Expected skipping(int n) {
            return new Expected(minPassed, maxPassed, n);
        }

        /** Why {@code s} does not meet this expectation, or empty when it does. */
        Optional<String> mismatch(NodeTestSummary s) {
            List<String> problems = new ArrayList<>();
            if (s.passed() < minPassed || s.passed() > maxPassed) {
                problems.add("passed " + s.passed() + ", expected "
                        + (minPassed == maxPassed ? String.valueOf(minPassed)
                                : maxPassed == Integer.MAX_VALUE ? "at least " + minPassed
                                        : minPassed + ".." + maxPassed));
            }
            if (s.skipped() > maxSkipped) {
                problems.add("skipped " + s.skipped() + ", allowed " + maxSkipped);
            }
            if (s.failed() > 0) {
                problems.add("failed " + s.failed());
            }
            if (s.cancelled() > 0) {
                problems.add("cancelled " + s.cancelled());
            }
            if (s.todo() > 0) {
                problems.add("todo " + s.todo());
            }
            if (s.tests() != s.passed() + s.skipped()) {
                problems.add("tests " + s.tests() + " != passed + skipped");
            }
            return problems.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", problems));
        }
    }

    /**
     * What a finished (or killed) Node process left behind; for a {@link #test} run also the runner's
     * summary (empty if it printed none, e.g. when killed) and what the caller expected of it.
     */
    public record Result(List<String> command, int exitCode, boolean timedOut, String output,
            Optional<NodeTestSummary> summary, Optional<Expected> expected) {

        /** Exited 0 in time and, for a test run, the summary meets the expectation. */
        public boolean succeeded() {
            return problem().isEmpty();
        }

        /** Throws an {@link AssertionError} with the whole output unless {@link #succeeded()}. */
        public Result assertSucceeded() {
            Optional<String> problem = problem();
            if (problem.isPresent()) {
                throw new AssertionError(String.join(" ", command) + " " + problem.get() + "\n" + output);
            }
            return this;
        }

        private Optional<String> problem() {
            if (timedOut) {
                return Optional.of("timed out");
            }
            if (exitCode != 0) {
                return Optional.of("exited " + exitCode);
            }
            if (expected.isEmpty()) {
                return Optional.empty();
            }
            if (summary.isEmpty()) {
                return Optional.of("printed no test summary");
            }
            return expected.get().mismatch(summary.get()).map(why -> "ran tests that do not count: " + why
                    + " (summary: " + summary.get() + ")");
        }
    }
}
