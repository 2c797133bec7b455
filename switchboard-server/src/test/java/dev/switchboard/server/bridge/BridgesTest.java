package dev.switchboard.server.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.switchboard.core.bridge.Bridges;
import dev.switchboard.server.SwitchboardServer;
import dev.switchboard.server.config.ConfigLoader;
import dev.switchboard.server.config.ConfigProblem;
import io.socket.client.Ack;
import io.socket.client.IO;
import io.socket.client.Socket;
import io.socket.engineio.client.transports.WebSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bridges configured in {@code switchboard.bridges}, end to end with the official Java Socket.IO client
 * ({@code io.socket:socket.io-client}) against the server: a record from outside reaches a client in the
 * room and is acknowledged to its source only after the fabric accepted it; a routed client event's ack
 * waits for the external system's confirmation; a refusing bridge gives an error ack; a bridge that
 * throws is restarted by supervision while the others keep working; room rules send matching messages
 * out; health and metrics name each bridge.
 */
class BridgesTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    private SwitchboardServer server;
    private String base;
    private final List<Socket> clients = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        LoopbackBridge.INSTANCES.clear();
        Path conf = dir.resolve("switchboard.conf");
        Files.writeString(conf, """
                switchboard {
                  data-dir = "%s"
                  http.port = 0
                  demo.enabled = false
                  bridges = [
                    { name = "orders", type = "test-loopback"
                      rooms = [ { namespace = "/", filter = "orders/#" } ]
                      events = [ { event = "order" } ]
                      outbound { timeout = 20s } }
                    { name = "refusing", type = "test-loopback", events = [ { event = "pay" } ], options { mode = fail } }
                    { name = "crashing", type = "test-loopback", events = [ { event = "crash" } ], options { mode = throw-once } }
                  ]
                }
                """.formatted(dir.resolve("data").toString().replace("\\", "/")));
        server = SwitchboardServer.start(new ConfigLoader().load(Optional.of(conf), Map.of(), Map.of()));
        base = "http://127.0.0.1:" + server.address().getPort();
        assertThat(server.awaitReady(WAIT)).as("every bridge up").isTrue();
    }

    @AfterEach
    void stop() {
        clients.forEach(Socket::close);
        if (server != null) {
            server.stop();
        }
    }

    private static LoopbackBridge bridge(String name) {
        return LoopbackBridge.INSTANCES.get(name);
    }

    @Test
    void anExternalRecordReachesAClientInTheRoomAndIsAcknowledgedToItsSourceAfterwards() throws Exception {
        Socket client = connect();
        BlockingQueue<Object[]> headlines = new LinkedBlockingQueue<>();
        client.on("headline", headlines::add);
        post("/api/join", "{\"sockets\":[\"" + client.id() + "\"],\"rooms\":[\"news\"]}");

        LoopbackBridge.Record record = new LoopbackBridge.Record("news", "headline", "{\"title\":\"hello\"}");
        bridge("orders").source.add(record);

        Object[] got = headlines.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(got).as("headline delivered").isNotNull();
        assertThat(((JSONObject) got[0]).getString("title")).isEqualTo("hello");
        await().atMost(WAIT).until(() -> bridge("orders").acknowledged.contains(record));
        assertThat(metrics()).containsPattern("switchboard_bridge_in_total\\{[^}]*bridge=\"orders\"} 1\\.0");
    }

    @Test
    void aRoutedEventIsAcknowledgedOnlyAfterTheExternalSystemConfirmed() throws Exception {
        Socket client = connect();
        BlockingQueue<Object[]> answers = new LinkedBlockingQueue<>();
        client.emit("order", new Object[] {new JSONObject().put("id", 7)}, (Ack) answers::add);

        await().atMost(WAIT).until(() -> bridge("orders").sent.size() == 1);
        LoopbackBridge.Sent sent = bridge("orders").sent.get(0);
        assertThat(sent.message().event()).isEqualTo("order");
        assertThat(sent.message().argumentsJson()).isEqualTo("[{\"id\":7}]");
        assertThat(sent.message().headers()).containsEntry(Bridges.SOCKET_HEADER, client.id());
        // The bridge has the event and has not confirmed it: no ack can have been sent.
        assertThat(answers).isEmpty();

        sent.confirmation().complete(null);
        Object[] ack = answers.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(ack).as("ack after confirmation").isNotNull();
        assertThat(((JSONObject) ack[0]).getBoolean("ok")).isTrue();
        assertThat(metrics()).containsPattern("switchboard_bridge_out_total\\{[^}]*bridge=\"orders\"} 1\\.0");
    }

    @Test
    void aBinaryArgumentGoesOutAsAnAttachment() throws Exception {
        Socket client = connect();
        client.emit("order", new Object[] {"photo", new byte[] {1, 2, 3}}, (Ack) args -> { });
        await().atMost(WAIT).until(() -> bridge("orders").sent.size() == 1);
        var message = bridge("orders").sent.get(0).message();
        assertThat(message.argumentsJson()).isEqualTo("[\"photo\",{\"_placeholder\":true,\"num\":0}]");
        assertThat(message.attachmentCount()).isEqualTo(1);
        assertThat(message.attachmentsCopy().get(0)).containsExactly(1, 2, 3);
    }

    @Test
    void aRefusingBridgeGivesAnErrorAck() throws Exception {
        Socket client = connect();
        assertThat(errorOf(ask(client, "pay", 10))).isEqualTo("bridge failed");
        assertThat(bridge("refusing").sent).hasSize(1);
        assertThat(metrics()).containsPattern(
                "switchboard_bridge_failed_total\\{[^}]*bridge=\"refusing\",direction=\"out\",reason=\"error\"} 1\\.0");
    }

    @Test
    void aBridgeThatThrowsIsRestartedBySupervisionWhileTheOthersKeepWorking() throws Exception {
        Socket client = connect();
        assertThat(errorOf(ask(client, "crash", 1))).isEqualTo("bridge failed");

        // Meanwhile another bridge carries events as before.
        BlockingQueue<Object[]> answers = new LinkedBlockingQueue<>();
        client.emit("order", new Object[] {1}, (Ack) answers::add);
        await().atMost(WAIT).until(() -> bridge("orders").sent.size() == 1);
        bridge("orders").sent.get(0).confirmation().complete(null);
        assertThat(answers.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).as("orders still acks").isNotNull();

        await().atMost(WAIT).until(() -> bridge("crashing").starts.get() == 2 && server.awaitReady(Duration.ofMillis(1)));
        assertThat(health()).contains("bridge-crashing").contains("bridge-orders").contains("bridge-refusing");
        assertThat(bridge("orders").starts.get()).isEqualTo(1);

        // The restarted bridge carries events again.
        BlockingQueue<Object[]> again = new LinkedBlockingQueue<>();
        client.emit("crash", new Object[] {2}, (Ack) again::add);
        await().atMost(WAIT).until(() -> bridge("crashing").sent.size() == 1);
        bridge("crashing").sent.get(0).confirmation().complete(null);
        Object[] ack = again.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(ack).isNotNull();
        assertThat(((JSONObject) ack[0]).getBoolean("ok")).isTrue();
    }

    @Test
    void messagesOfARuleRoomLeaveThroughTheBridge() throws Exception {
        post("/api/publish", "{\"event\":\"shipped\",\"data\":{\"n\":3},\"rooms\":[\"orders/eu\"]}");
        post("/api/publish", "{\"event\":\"ignored\",\"data\":1,\"rooms\":[\"other\"]}");
        await().atMost(WAIT).until(() -> !bridge("orders").sent.isEmpty());
        assertThat(bridge("orders").sent.get(0).message().event()).isEqualTo("shipped");
        assertThat(bridge("orders").sent.get(0).message().argumentsJson()).isEqualTo("[{\"n\":3}]");
        assertThat(bridge("orders").sent).hasSize(1);
    }

    @Test
    void anUnknownTypeOrADuplicateRouteIsAConfigurationError() throws Exception {
        Path conf = dir.resolve("bad.conf");
        Files.writeString(conf, "switchboard.bridges = [ { name = x, type = kafka-nope } ]");
        assertThatThrownBy(() -> new ConfigLoader().load(Optional.of(conf), Map.of(), Map.of()))
                .isInstanceOf(ConfigProblem.class)
                .hasMessageContaining("switchboard.bridges[0].type: no bridge of type \"kafka-nope\"");
        Files.writeString(conf, """
                switchboard.bridges = [
                  { name = a, type = test-loopback, events = [ { event = e } ] }
                  { name = b, type = test-loopback, events = [ { event = e } ] }
                ]""");
        assertThatThrownBy(() -> new ConfigLoader().load(Optional.of(conf), Map.of(), Map.of()))
                .isInstanceOf(ConfigProblem.class).hasMessageContaining("already routed");
        Files.writeString(conf, "switchboard.bridges = [ { name = a, type = test-loopback, rooms = [ { filter = \"a/#/b\" } ] } ]");
        assertThatThrownBy(() -> new ConfigLoader().load(Optional.of(conf), Map.of(), Map.of()))
                .isInstanceOf(ConfigProblem.class).hasMessageContaining("switchboard.bridges[0].rooms");
    }

    private Socket connect() throws Exception {
        IO.Options options = IO.Options.builder().setForceNew(true).setReconnection(false)
                .setTransports(new String[] {WebSocket.NAME}).build();
        Socket s = IO.socket(URI.create(base + "/"), options);
        clients.add(s);
        CountDownLatch connected = new CountDownLatch(1);
        s.once(Socket.EVENT_CONNECT, args -> connected.countDown());
        s.connect();
        assertThat(connected.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("connected").isTrue();
        return s;
    }

    private static Object[] ask(Socket s, String event, Object arg) throws InterruptedException {
        BlockingQueue<Object[]> answers = new LinkedBlockingQueue<>();
        s.emit(event, new Object[] {arg}, (Ack) answers::add);
        Object[] answer = answers.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(answer).as("ack of " + event).isNotNull();
        return answer;
    }

    private static String errorOf(Object[] ack) throws Exception {
        return ((JSONObject) ack[0]).getJSONObject("error").getString("message");
    }

    private String post(String path, String json) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path + " answered " + r.body()).isBetween(200, 299);
        return r.body();
    }

    private String get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private String metrics() throws Exception {
        return get("/metrics");
    }

    private String health() throws Exception {
        return get("/health/ready");
    }
}
