package dev.switchboard.server;


import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.testkit.NodePeers;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/** The official socket.io-client in a Node process (src/test/js/api-client.mjs), reporting JSON lines. */
final class NodeClient implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final List<JsonNode> events = Collections.synchronizedList(new ArrayList<>());
    private final List<String> raw = Collections.synchronizedList(new ArrayList<>());

    NodeClient(String serverUrl, String namespace, String user) {
        process = NodePeers.start(Path.of("src/test/js/api-client.mjs"),
                Map.of("SERVER_URL", serverUrl, "NAMESPACE", namespace, "USER_NAME", user));
        Thread t = new Thread(this::read, "node-client-" + user);
        t.setDaemon(true);
        t.start();
    }

    private void read() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                raw.add(line);
                if (line.startsWith("{")) {
                    events.add(JSON.readTree(line));
                }
            }
        } catch (IOException ignored) {
            // The client ended.
        }
    }

    List<JsonNode> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    Optional<JsonNode> find(Predicate<JsonNode> p) {
        return events().stream().filter(p).findFirst();
    }

    JsonNode await(String what, Predicate<JsonNode> p) {
        org.awaitility.Awaitility.await().alias(what + " (client saw: " + raw + ")").atMost(Duration.ofSeconds(15))
                .until(() -> find(p).isPresent());
        return find(p).orElseThrow();
    }

    String awaitConnected() {
        return await("connect", e -> e.path("type").asText().equals("connect")).path("id").asText();
    }

    JsonNode awaitEvent(String event) {
        return await("event " + event, e -> e.path("type").asText().equals("event") && e.path("event").asText().equals(event));
    }

    boolean sawEvent(String event) {
        return find(e -> e.path("type").asText().equals("event") && e.path("event").asText().equals(event)).isPresent();
    }

    String awaitDisconnect() {
        return await("disconnect", e -> e.path("type").asText().equals("disconnect")).path("reason").asText();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
