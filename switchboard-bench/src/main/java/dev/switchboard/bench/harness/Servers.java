package dev.switchboard.bench.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The three servers, each running the echo application with the same settings: Switchboard
 * ({@code bin/switchboard echo}, a command template), the official Node {@code socket.io} server
 * (pinned in {@code node/package-lock.json}) and {@code netty-socketio} (pinned in its standalone
 * Maven project). Both JVM servers get the same heap bound and collector.
 */
final class Servers {

    private static final Logger LOG = LoggerFactory.getLogger(Servers.class);

    /** Same for both JVM servers: a fixed heap bound and G1, so memory figures compare. */
    static final String JVM_OPTS = "-Xmx2g -XX:+UseG1GC";

    static final String DEFAULT_SWITCHBOARD = "bin/switchboard echo --host 127.0.0.1 --port {port} --ping-interval {pingInterval}"
            + " --ping-timeout {pingTimeout} --max-payload {maxPayload} --connect-timeout {connectTimeout} --cors *";

    private Servers() {}

    /** Switchboard from a command template, or empty (with the reason logged) when its launcher is missing. */
    static Optional<ServerSpec> switchboard(Path repo, String template) {
        List<String> cmd = Arrays.asList(template.trim().split("\\s+"));
        Path launcher = repo.resolve(cmd.get(0));
        if (cmd.get(0).contains("/") && !Files.isExecutable(launcher)) {
            LOG.warn("Switchboard skipped: {} does not exist yet (`bin/switchboard echo` is missing); "
                    + "ratios are given against the Node server", launcher);
            return Optional.empty();
        }
        String version = git(repo, "describe", "--always", "--dirty");
        return Optional.of(new ServerSpec("switchboard", "Switchboard " + version + " (" + template + ")",
                cmd, Map.of("JAVA_OPTS", JVM_OPTS), repo, "jvm"));
    }

    /** The official Node socket.io server with the echo application. */
    static ServerSpec node(Path repo) throws IOException {
        Path modules = repo.resolve("node/node_modules");
        if (!Files.isDirectory(modules)) {
            LOG.info("installing the pinned Node peers: npm ci --prefix node");
            exec(repo, List.of("npm", "ci", "--prefix", "node"));
        }
        String sio = packageVersion(modules.resolve("socket.io/package.json"));
        String nodeVersion = exec(repo, List.of("node", "--version")).trim();
        return new ServerSpec("node", "socket.io " + sio + " on Node.js " + nodeVersion,
                List.of("node", "--expose-gc", repo.resolve("switchboard-bench/peers/node/echo-server.mjs").toString(),
                        "--port", "{port}", "--ping-interval", "{pingInterval}", "--ping-timeout", "{pingTimeout}",
                        "--max-payload", "{maxPayload}", "--connect-timeout", "{connectTimeout}", "--cors", "*"),
                Map.of("NODE_PATH", modules.toString(), "BENCH_STATS", "1"), repo, "node");
    }

    /** netty-socketio, built from its standalone project (never part of the reactor: it uses Netty 4.1). */
    static ServerSpec nettySocketIo(Path repo) throws IOException {
        Path project = repo.resolve("switchboard-bench/peers/netty-socketio");
        Path jar = project.resolve("target/netty-socketio-echo.jar");
        LOG.info("building the netty-socketio peer: mvn -q -f {} package", project.resolve("pom.xml"));
        exec(repo, List.of("mvn", "-B", "-q", "-f", project.resolve("pom.xml").toString(), "package"));
        String pom = Files.readString(project.resolve("pom.xml"));
        Matcher m = Pattern.compile("<netty-socketio.version>([^<]+)<").matcher(pom);
        String version = m.find() ? m.group(1) : "?";
        List<String> cmd = new ArrayList<>(List.of("java"));
        cmd.addAll(List.of(JVM_OPTS.split(" ")));
        cmd.addAll(List.of("-jar", jar.toString(), "--port", "{port}", "--ping-interval", "{pingInterval}",
                "--ping-timeout", "{pingTimeout}", "--max-payload", "{maxPayload}",
                "--connect-timeout", "{connectTimeout}", "--cors", "*"));
        return new ServerSpec("netty-socketio", "netty-socketio " + version + " (Netty 4.1, epoll) on Java "
                + Runtime.version().feature(), cmd, Map.of(), repo, "jvm");
    }

    static String git(Path repo, String... args) {
        List<String> cmd = new ArrayList<>(List.of("git"));
        cmd.addAll(List.of(args));
        try {
            return exec(repo, cmd).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String packageVersion(Path packageJson) throws IOException {
        Matcher m = Pattern.compile("\"version\"\\s*:\\s*\"([^\"]+)\"").matcher(Files.readString(packageJson));
        return m.find() ? m.group(1) : "?";
    }

    /** Runs a command to completion (at most 10 minutes); fails with its output on a non-zero exit. */
    static String exec(Path dir, List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        Children.register(p);
        try {
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " timed out");
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " exited " + p.exitValue() + ":\n" + text);
            }
            return text;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted: " + command, e);
        } finally {
            Children.unregister(p);
        }
    }
}
