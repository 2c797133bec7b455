package dev.switchboard.server.durable;

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

/** The official socket.io-client in a Node process (src/test/js/durable-client.mjs), driven by commands. */
public final class DurableClient implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Process process;
    private final OutputStream stdin;
    private final List<JsonNode> lines = Collections.synchronizedList(new ArrayList<>());

    public DurableClient(String serverUrl, String authJson, boolean ack) {
        this(serverUrl, "/", authJson, ack);
    }

    /** A client of {@code namespace}. */
    public DurableClient(String serverUrl, String namespace, String authJson, boolean ack) {
        process = NodePeers.start(Path.of("src/test/js/durable-client.mjs"),
                Map.of("SERVER_URL", serverUrl, "NAMESPACE", namespace, "AUTH", authJson, "ACK", ack ? "on" : "off"));
        stdin = process.getOutputStream();
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.startsWith("{")) {
                        lines.add(JSON.readTree(line));
                    } else {
                        lines.add(JSON.createObjectNode().put("type", "raw").put("text", line));
                    }
                }
            } catch (IOException ignored) {
                // ended
            }
        }, "durable-client");
        t.setDaemon(true);
        t.start();
    }

    public List<JsonNode> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    public int mark() {
        return lines().size();
    }

    /** The n-th line (from {@code from}) matching, waiting for it. */
    public JsonNode await(String what, int from, Predicate<JsonNode> p) {
        Awaitility.await().alias(what + " (client saw: " + lines() + ")").atMost(Duration.ofSeconds(20))
                .until(() -> lines().stream().skip(from).anyMatch(p));
        return lines().stream().skip(from).filter(p).findFirst().orElseThrow();
    }

    public JsonNode awaitConnect(int from) {
        return await("connect", from, l -> l.path("type").asText().equals("connect"));
    }

    public JsonNode awaitEvent(int from, String event) {
        return await("event " + event, from, l -> isEvent(l, event));
    }

    /** Events named {@code event} seen from line {@code from}. */
    public List<JsonNode> events(int from, String event) {
        return lines().stream().skip(from).filter(l -> isEvent(l, event)).toList();
    }

    private static boolean isEvent(JsonNode l, String event) {
        return l.path("type").asText().equals("event") && l.path("event").asText().equals(event);
    }

    public void command(String json) {
        int from = mark();
        try {
            stdin.write((json + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String cmd = json.replaceAll(".*\"cmd\"\\s*:\\s*\"([a-z]+)\".*", "$1");
        await("command " + cmd, from, l -> l.path("type").asText().equals("done") && l.path("cmd").asText().equals(cmd));
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
