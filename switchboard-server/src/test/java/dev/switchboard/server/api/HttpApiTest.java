package dev.switchboard.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Validation, authorisation and rendering of the API, over a recording {@link SocketAdmin}. That the
 * operations reach real Socket.IO clients is shown by PackagedServerIT against the running server.
 */
class HttpApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Records what the API asked for; answers with fixed data. */
    static class RecordingAdmin implements SocketAdmin {
        final List<String> calls = new ArrayList<>();

        @Override
        public List<NamespaceInfo> namespaces() {
            return List.of(new NamespaceInfo("/", 2, 1), new NamespaceInfo("/chat", 0, 0));
        }

        @Override
        public Optional<List<RoomInfo>> rooms(String namespace) {
            return namespace.equals("/") ? Optional.of(List.of(new RoomInfo("lobby", 2))) : Optional.empty();
        }

        @Override
        public Optional<List<SocketInfo>> sockets(String namespace, Optional<String> room) {
            if (!namespace.equals("/")) {
                return Optional.empty();
            }
            calls.add("sockets " + room.orElse("*"));
            return Optional.of(List.of(new SocketInfo("s1", "/", Set.of("lobby"), new Handshake("127.0.0.1",
                    "websocket", "Thu, 26 Nov 2026 13:00:00 GMT", 1L, "/socket.io/?EIO=4", Map.of("EIO", "4"),
                    Map.of("user-agent", "node"), Map.of("token", "t")))));
        }

        @Override
        public boolean disconnect(String namespace, String socketId, boolean close) {
            calls.add("disconnect " + namespace + " " + socketId + " " + close);
            return socketId.equals("s1");
        }

        @Override
        public int join(String namespace, Selection selection, Set<String> rooms) {
            calls.add("join " + namespace + " " + selection.socketIds() + " " + selection.inRooms() + " " + rooms);
            return 1;
        }

        @Override
        public int leave(String namespace, Selection selection, Set<String> rooms) {
            calls.add("leave " + namespace + " " + rooms);
            return 1;
        }

        @Override
        public int publish(String namespace, Set<String> rooms, Set<String> except, String event, List<Object> args) {
            calls.add("publish " + namespace + " " + rooms + " " + except + " " + event + " " + args);
            return 2;
        }

        @Override
        public CompletionStage<AckResult> publishWithAck(String namespace, Set<String> rooms, Set<String> except,
                                                         String event, List<Object> args, Duration timeout) {
            calls.add("publishWithAck " + rooms + " " + event + " " + args + " " + timeout.toMillis());
            return CompletableFuture.completedFuture(new AckResult(2, List.of(Map.of("ok", true)), true));
        }
    }

    private final RecordingAdmin admin = new RecordingAdmin();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final HttpApi open = new HttpApi(admin, "", registry);
    private final HttpApi guarded = new HttpApi(admin, "s3cret", registry);

    private static ApiRequest get(String path, Map<String, String> query, Map<String, String> headers) {
        return new ApiRequest("GET", path, query, headers, new byte[0]);
    }

    private static ApiRequest post(String path, String body) {
        return new ApiRequest("POST", path, Map.of(), Map.of("content-type", "application/json"),
                body.getBytes(StandardCharsets.UTF_8));
    }

    private static JsonNode json(ApiResponse r) throws Exception {
        assertThat(r.contentType()).startsWith("application/json");
        return JSON.readTree(r.body());
    }

    @Test
    void publishPassesTargetsAndArgumentsThrough() throws Exception {
        ApiResponse r = open.handle(post("/api/publish",
                "{\"namespace\":\"/\",\"event\":\"news\",\"data\":{\"a\":1},\"rooms\":[\"lobby\"],\"except\":[\"muted\"]}"));
        assertThat(r.status()).isEqualTo(200);
        assertThat(json(r).get("recipients").asInt()).isEqualTo(2);
        assertThat(admin.calls).containsExactly("publish / [lobby] [muted] news [{a=1}]");

        open.handle(post("/api/publish", "{\"event\":\"two\",\"args\":[1,\"x\",null]}"));
        assertThat(admin.calls).last().isEqualTo("publish / [] [] two [1, x, null]");
    }

    @Test
    void publishCanWaitForAcknowledgements() throws Exception {
        JsonNode r = json(open.handle(post("/api/publish", "{\"event\":\"ask\",\"data\":1,\"rooms\":[\"a\"],\"ackTimeout\":1500}")));
        assertThat(admin.calls).containsExactly("publishWithAck [a] ask [1] 1500");
        assertThat(r.get("recipients").asInt()).isEqualTo(2);
        assertThat(r.at("/acks/expected").asInt()).isEqualTo(2);
        assertThat(r.at("/acks/received").asInt()).isEqualTo(1);
        assertThat(r.at("/acks/timedOut").asBoolean()).isTrue();
        assertThat(r.at("/acks/responses").toString()).isEqualTo("[{\"ok\":true}]");
        for (String bad : List.of("0", "60001", "\"soon\"")) {
            ApiResponse refused = open.handle(post("/api/publish", "{\"event\":\"ask\",\"ackTimeout\":" + bad + "}"));
            assertThat(refused.status()).as(bad).isEqualTo(400);
        }
    }

    @Test
    void shutdownWaitsForAcknowledgementsInFlightThenRefusesNewOnes() throws Exception {
        java.util.concurrent.CompletableFuture<SocketAdmin.AckResult> pending = new java.util.concurrent.CompletableFuture<>();
        RecordingAdmin slow = new RecordingAdmin() {
            @Override
            public CompletionStage<AckResult> publishWithAck(String namespace, Set<String> rooms, Set<String> except,
                                                             String event, List<Object> args, Duration timeout) {
                return pending;
            }
        };
        HttpApi api = new HttpApi(slow, "", registry);
        var waiting = api.handleAsync(post("/api/publish", "{\"event\":\"ask\",\"ackTimeout\":5000}"));
        assertThat(api.drainAcks(Duration.ofMillis(50))).isFalse();
        pending.complete(new SocketAdmin.AckResult(1, List.of("yes"), false));
        assertThat(waiting.get().status()).isEqualTo(200);
        assertThat(api.drainAcks(Duration.ofSeconds(5))).isTrue();
        ApiResponse refused = api.handle(post("/api/publish", "{\"event\":\"ask\",\"ackTimeout\":5000}"));
        assertThat(refused.status()).isEqualTo(503);
        assertThat(json(refused).get("error").asText()).isEqualTo("unavailable");
    }

    @Test
    void malformedBodiesGet400WithAJsonReason() throws Exception {
        Map<String, String> cases = new HashMap<>();
        cases.put("{\"event\":", "malformed JSON");
        cases.put("[1,2]", "must be a JSON object");
        cases.put("{\"event\":\"x\",\"romos\":[\"a\"]}", "unknown field 'romos'");
        cases.put("{\"data\":1}", "'event' is required");
        cases.put("{\"event\":\"disconnect\"}", "reserved by Socket.IO");
        cases.put("{\"event\":\"x\",\"data\":1,\"args\":[1]}", "not both");
        cases.put("{\"event\":\"x\",\"namespace\":\"chat\"}", "must start with '/'");
        cases.put("{\"event\":\"x\",\"rooms\":[\"\"]}", "non-empty strings");
        cases.put("{\"event\":\"x\",\"rooms\":\"lobby\"}", "malformed JSON");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            ApiResponse r = open.handle(post("/api/publish", c.getKey()));
            assertThat(r.status()).as(c.getKey()).isEqualTo(400);
            JsonNode body = json(r);
            assertThat(body.get("error").asText()).isEqualTo("bad_request");
            assertThat(body.get("message").asText()).as(c.getKey()).contains(c.getValue());
        }
        assertThat(admin.calls).isEmpty();
    }

    @Test
    void theTokenIsRequiredWhenConfigured() throws Exception {
        ApiResponse none = guarded.handle(get("/api/namespaces", Map.of(), Map.of()));
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.headers()).containsEntry("WWW-Authenticate", "Bearer");
        assertThat(json(none).get("error").asText()).isEqualTo("unauthorized");

        ApiResponse wrong = guarded.handle(get("/api/namespaces", Map.of(), Map.of("authorization", "Bearer nope")));
        assertThat(wrong.status()).isEqualTo(401);

        ApiResponse right = guarded.handle(get("/api/namespaces", Map.of(), Map.of("authorization", "Bearer s3cret")));
        assertThat(right.status()).isEqualTo(200);
        assertThat(json(right).get("namespaces")).hasSize(2);

        // Authorisation comes before validation: a stranger learns nothing about the body's problems.
        ApiResponse publish = guarded.handle(post("/api/publish", "{oops"));
        assertThat(publish.status()).isEqualTo(401);

        // The description of the API is public.
        assertThat(guarded.handle(get("/api/openapi.json", Map.of(), Map.of())).status()).isEqualTo(200);
    }

    @Test
    void listingsRenderRoomsAndHandshakes() throws Exception {
        JsonNode rooms = json(open.handle(get("/api/rooms", Map.of(), Map.of())));
        assertThat(rooms.get("rooms").get(0).get("name").asText()).isEqualTo("lobby");
        assertThat(rooms.get("rooms").get(0).get("members").asInt()).isEqualTo(2);

        JsonNode sockets = json(open.handle(get("/api/sockets", Map.of("room", "lobby"), Map.of())));
        JsonNode s = sockets.get("sockets").get(0);
        assertThat(s.get("id").asText()).isEqualTo("s1");
        assertThat(s.get("handshake").get("transport").asText()).isEqualTo("websocket");
        assertThat(s.get("handshake").get("query").get("EIO").asText()).isEqualTo("4");
        assertThat(admin.calls).containsExactly("sockets lobby");

        assertThat(open.handle(get("/api/rooms", Map.of("namespace", "/nope"), Map.of())).status()).isEqualTo(404);
    }

    @Test
    void disconnectJoinAndLeave() throws Exception {
        assertThat(open.handle(post("/api/disconnect", "{\"socket\":\"s1\"}")).status()).isEqualTo(200);
        assertThat(open.handle(post("/api/disconnect", "{\"socket\":\"gone\",\"close\":true}")).status()).isEqualTo(404);
        JsonNode joined = json(open.handle(post("/api/join", "{\"sockets\":[\"s1\"],\"rooms\":[\"a\",\"b\"]}")));
        assertThat(joined.get("sockets").asInt()).isEqualTo(1);
        assertThat(open.handle(post("/api/leave", "{\"in\":[\"a\"],\"rooms\":[\"b\"]}")).status()).isEqualTo(200);
        assertThat(open.handle(post("/api/join", "{\"sockets\":[\"s1\"]}")).status()).isEqualTo(400);
        assertThat(admin.calls).containsExactly(
                "disconnect / s1 false", "disconnect / gone true", "join / [s1] [] [a, b]", "leave / [b]");
    }

    @Test
    void unknownRoutesAndWrongMethodsAreJsonErrors() throws Exception {
        ApiResponse missing = open.handle(get("/api/nothing", Map.of(), Map.of()));
        assertThat(missing.status()).isEqualTo(404);
        assertThat(json(missing).get("message").asText()).contains("openapi.json");
        assertThat(open.handle(get("/api/publish", Map.of(), Map.of())).status()).isEqualTo(405);
        ApiRequest text = new ApiRequest("POST", "/api/publish", Map.of(), Map.of("content-type", "text/plain"),
                "{\"event\":\"x\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(open.handle(text).status()).isEqualTo(415);
    }

    @Test
    void latenciesAreTimedByOperationAndStatus() {
        open.handle(post("/api/publish", "{\"event\":\"x\"}"));
        open.handle(post("/api/publish", "{"));
        assertThat(registry.get("switchboard.api.request").tags("operation", "publish", "status", "200").timer().count())
                .isEqualTo(1);
        assertThat(registry.get("switchboard.api.request").tags("operation", "publish", "status", "400").timer().count())
                .isEqualTo(1);
    }

    @Test
    void theOpenApiDocumentDescribesEveryRoute() throws Exception {
        JsonNode doc = json(open.handle(get("/api/openapi.json", Map.of(), Map.of())));
        assertThat(doc.get("openapi").asText()).startsWith("3.");
        HttpApi withDurable = new HttpApi(admin, ApiAuth.staticToken(""), registry,
                new dev.switchboard.server.durable.DurableApi(null).endpoints());
        assertThat(withDurable.endpoints()).hasSizeGreaterThan(10);
        for (ApiEndpoint e : withDurable.endpoints()) {
            assertThat(doc.get("paths").has(e.path())).as(e.path()).isTrue();
            assertThat(doc.get("paths").get(e.path()).has(e.method().toLowerCase())).as(e.method() + " " + e.path()).isTrue();
        }
    }
}
