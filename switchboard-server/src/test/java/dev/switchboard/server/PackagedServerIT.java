package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged server as a user runs it: {@code bin/switchboard --port 0 --data DIR} in its own process,
 * driven through its HTTP API (java.net.http) and the official socket.io-client (Node), scraped at
 * /metrics, then stopped with SIGTERM.
 */
class PackagedServerIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "it-token-4f1c";

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private String base;

    private HttpResponse<String> call(String method, String path, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode ok(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).as(r.uri() + " -> " + r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        return JSON.readTree(r.body());
    }

    @Test
    void aUserRunsTheServerUsesTheApiAndStopsIt() throws Exception {
        try (LaunchedServer server = LaunchedServer.start(dir, Map.of("SWITCHBOARD_API_TOKEN", TOKEN),
                "--port", "0", "--data", dir.resolve("data").toString())) {
            base = server.awaitListening(LaunchedServer.STARTUP);
            Duration ready = server.awaitReady(base, http);
            System.out.println("process start to /health/ready 200: " + ready.toMillis() + " ms");
            assertThat(server.out()).anyMatch(l -> l.contains("Switchboard is ready"));
            assertThat(server.out()).anyMatch(l -> l.contains("config defaults, data directory " + dir.resolve("data")));

            try (NodeClient alice = new NodeClient(base, "/", "alice");
                 NodeClient bob = new NodeClient(base, "/", "bob")) {
                String aliceId = alice.awaitConnected();
                String bobId = bob.awaitConnected();

                // Sockets with their handshake details.
                JsonNode sockets = ok(call("GET", "/api/sockets?namespace=/", null, TOKEN)).get("sockets");
                assertThat(sockets.findValuesAsText("id")).contains(aliceId, bobId);
                JsonNode aliceInfo = null;
                for (JsonNode s : sockets) {
                    if (s.get("id").asText().equals(aliceId)) {
                        aliceInfo = s;
                    }
                }
                assertThat(aliceInfo.at("/handshake/query/user").asText()).isEqualTo("alice");
                assertThat(aliceInfo.at("/handshake/address").asText()).isNotEmpty();

                // Join through the API, then list rooms with member counts.
                JsonNode joined = ok(call("POST", "/api/join",
                        "{\"sockets\":[\"" + aliceId + "\"],\"rooms\":[\"news\"]}", TOKEN));
                assertThat(joined.get("sockets").asInt()).isEqualTo(1);
                JsonNode rooms = ok(call("GET", "/api/rooms", null, TOKEN)).get("rooms");
                assertThat(rooms).hasSize(1);
                assertThat(rooms.get(0).get("name").asText()).isEqualTo("news");
                assertThat(rooms.get(0).get("members").asInt()).isEqualTo(1);
                JsonNode members = ok(call("GET", "/api/sockets?room=news", null, TOKEN)).get("sockets");
                assertThat(members.findValuesAsText("id")).containsExactly(aliceId);

                // Publish to the room: alice gets it as io.to("news").emit(...) would send it.
                JsonNode published = ok(call("POST", "/api/publish",
                        "{\"event\":\"headline\",\"data\":{\"title\":\"hello\",\"n\":1},\"rooms\":[\"news\"]}", TOKEN));
                assertThat(published.get("recipients").asInt()).isEqualTo(1);
                JsonNode headline = alice.awaitEvent("headline");
                assertThat(headline.get("args").toString()).isEqualTo("[{\"title\":\"hello\",\"n\":1}]");

                // Publish and wait for the acknowledgements (io.to("news").timeout(5000).emitWithAck(...)).
                JsonNode asked = ok(call("POST", "/api/publish",
                        "{\"event\":\"ask\",\"data\":{\"q\":42},\"rooms\":[\"news\"],\"ackTimeout\":5000}", TOKEN));
                assertThat(asked.at("/acks/expected").asInt()).isEqualTo(1);
                assertThat(asked.at("/acks/timedOut").asBoolean()).isFalse();
                assertThat(asked.at("/acks/responses").toString()).isEqualTo("[{\"from\":\"alice\",\"got\":{\"q\":42}}]");

                // Publish to all except the room, then a marker to all: bob gets both, alice only the marker.
                ok(call("POST", "/api/publish", "{\"event\":\"others\",\"args\":[1,\"two\"],\"except\":[\"news\"]}", TOKEN));
                ok(call("POST", "/api/publish", "{\"event\":\"marker\"}", TOKEN));
                assertThat(bob.awaitEvent("others").get("args").toString()).isEqualTo("[1,\"two\"]");
                bob.awaitEvent("marker");
                alice.awaitEvent("marker");
                assertThat(alice.sawEvent("others")).isFalse();
                assertThat(bob.sawEvent("headline")).isFalse();

                // Leave through the API.
                ok(call("POST", "/api/leave", "{\"in\":[\"news\"],\"rooms\":[\"news\"]}", TOKEN));
                assertThat(ok(call("GET", "/api/rooms", null, TOKEN)).get("rooms")).isEmpty();

                // Refusals: wrong or missing token -> 401, malformed body -> 400, each with a JSON reason.
                HttpResponse<String> wrong = call("GET", "/api/namespaces", null, "not-the-token");
                assertThat(wrong.statusCode()).isEqualTo(401);
                assertThat(JSON.readTree(wrong.body()).get("error").asText()).isEqualTo("unauthorized");
                assertThat(call("POST", "/api/publish", "{\"event\":\"x\"}", null).statusCode()).isEqualTo(401);
                HttpResponse<String> malformed = call("POST", "/api/publish", "{\"event\": \"x\", ", TOKEN);
                assertThat(malformed.statusCode()).isEqualTo(400);
                JsonNode reason = JSON.readTree(malformed.body());
                assertThat(reason.get("error").asText()).isEqualTo("bad_request");
                assertThat(reason.get("message").asText()).contains("malformed JSON");

                // Namespaces list.
                JsonNode namespaces = ok(call("GET", "/api/namespaces", null, TOKEN)).get("namespaces");
                assertThat(namespaces.findValuesAsText("name")).contains("/", "/demo");

                // Disconnect bob: his client sees a server-side disconnect.
                ok(call("POST", "/api/disconnect", "{\"socket\":\"" + bobId + "\"}", TOKEN));
                assertThat(bob.awaitDisconnect()).isEqualTo("io server disconnect");
                assertThat(call("POST", "/api/disconnect", "{\"socket\":\"" + bobId + "\"}", TOKEN).statusCode())
                        .isEqualTo(404);

                // Metrics moved.
                String metrics = call("GET", "/metrics", null, null).body();
                assertThat(counter(metrics, "switchboard_api_request_seconds_count", "operation=\"publish\",status=\"200\""))
                        .isGreaterThanOrEqualTo(3);
                assertThat(counter(metrics, "switchboard_api_request_seconds_count", "status=\"401\"")).isGreaterThanOrEqualTo(1);
                assertThat(counter(metrics, "switchboard_socketio_handshakes_total", "namespace=\"/\",outcome=\"connected\""))
                        .isGreaterThanOrEqualTo(2);
                assertThat(counter(metrics, "switchboard_socketio_disconnects_total", "namespace=\"/\""))
                        .isGreaterThanOrEqualTo(1);
                assertThat(counter(metrics, "switchboard_routing_publications_total", "")).isGreaterThanOrEqualTo(3);
                assertThat(counter(metrics, "switchboard_routing_deliveries_total", "outcome=\"written\"")).isGreaterThanOrEqualTo(4);
                assertThat(counter(metrics, "switchboard_routing_fanout_subscribers_count", "")).isGreaterThanOrEqualTo(3);
                assertThat(counter(metrics, "switchboard_socketio_packets_total", "direction=\"out\"")).isGreaterThanOrEqualTo(1);
                assertThat(counter(metrics, "switchboard_socketio_bytes_total", "direction=\"in\"")).isGreaterThan(0);
                assertThat(counter(metrics, "switchboard_socketio_bytes_total", "direction=\"out\"")).isGreaterThan(500);
                assertThat(counter(metrics, "switchboard_socketio_broadcast_ack_seconds_count", "outcome=\"complete\""))
                        .isEqualTo(1);
                assertThat(metrics).contains("jvm_memory_used_bytes", "netty_allocator_memory_used",
                        "switchboard_api_request_seconds_bucket", "switchboard_socketio_connections");

                // SIGTERM: alice is told, the process exits 0.
                server.sigterm();
                assertThat(alice.awaitDisconnect()).isEqualTo("io server disconnect");
                assertThat(server.awaitExit(Duration.ofSeconds(30))).as(server.transcript()).isZero();
                assertThat(server.out()).anyMatch(l -> l.contains("SIGTERM received: shutting down"));
                assertThat(server.out()).anyMatch(l -> l.contains("stopped in"));
                assertThat(server.err()).isEmpty();
            }
        }
    }

    /** The sum of the samples of a Prometheus metric whose labels contain {@code labels}. */
    static double counter(String exposition, String name, String labels) {
        Pattern p = Pattern.compile("^" + Pattern.quote(name) + "(\\{[^}]*\\})? (\\S+)$", Pattern.MULTILINE);
        Matcher m = p.matcher(exposition);
        double sum = 0;
        boolean found = false;
        while (m.find()) {
            String l = m.group(1) == null ? "" : m.group(1);
            if (l.contains(labels)) {
                sum += Double.parseDouble(m.group(2));
                found = true;
            }
        }
        assertThat(found).as("metric " + name + "{" + labels + "} in\n" + exposition).isTrue();
        return sum;
    }
}
