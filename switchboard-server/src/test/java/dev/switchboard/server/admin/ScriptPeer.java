package dev.switchboard.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.testkit.NodePeers;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.awaitility.Awaitility;

/**
 * A Node script with the official socket.io-client (src/test/js), reporting JSON lines on stdout and
 * taking JSON-line commands on stdin.
 */
final class ScriptPeer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final List<JsonNode> lines = Collections.synchronizedList(new ArrayList<>());
    private final List<String> raw = Collections.synchronizedList(new ArrayList<>());

    ScriptPeer(String script, Map<String, String> env) {
        process = NodePeers.start(Path.of("src/test/js", script), env);
        Thread t = new Thread(this::read, "script-peer-" + script);
        t.setDaemon(true);
        t.start();
    }

    private void read() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                raw.add(line);
                if (line.startsWith("{")) {
                    lines.add(JSON.readTree(line));
                }
            }
        } catch (IOException ignored) {
            // The process ended.
        }
    }

    /** Sends a JSON-line command, e.g. {@code ["emit", "join", "/", "news", id]}. */
    void command(Object... command) {
        try {
            OutputStream in = process.getOutputStream();
            in.write((JSON.writeValueAsString(command) + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    List<JsonNode> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    JsonNode await(String what, Predicate<JsonNode> p) {
        Awaitility.await().alias(what + " (peer saw: " + raw + ")").atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> lines().stream().anyMatch(p));
        return lines().stream().filter(p).findFirst().orElseThrow();
    }

    /** The first event with that name whose arguments satisfy {@code p}. */
    JsonNode awaitEvent(String event, Predicate<JsonNode> argsMatch) {
        return await("event " + event, l -> l.path("type").asText().equals("event")
                && l.path("event").asText().equals(event) && argsMatch.test(l.path("args")));
    }

    String awaitConnected() {
        return await("connect", l -> l.path("type").asText().equals("connect")).path("id").asText();
    }

    String awaitConnectError() {
        return await("connect_error", l -> l.path("type").asText().equals("connect_error")).path("message").asText();
    }

    String awaitDisconnect() {
        return await("disconnect", l -> l.path("type").asText().equals("disconnect")).path("reason").asText();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
