package dev.switchboard.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.switchboard.testkit.LeakDetectorExtension;
import dev.switchboard.testkit.NodePeers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The load generator must see what the official client sees. One scenario (auth on connect, join a
 * room with ack, broadcast to the room, message-with-ack, message) runs twice against the Node
 * {@code socket.io} echo peer: once with {@code socket.io-client} (node script through
 * {@link NodePeers}), once with {@link LoadGenerator}; both lists of received events must be equal.
 */
@ExtendWith(LeakDetectorExtension.class)
class EchoScenarioTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static NodeEchoServer server;
    private static int port;

    @BeforeAll
    static void startNodeEchoServer() throws Exception {
        server = NodeEchoServer.start();
        port = server.port();
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void loadGeneratorReceivesWhatTheOfficialClientReceives() throws Exception {
        NodePeers.Result official = NodePeers.run(Path.of("src/test/node/echo-scenario.mjs"),
                Map.of("PORT", String.valueOf(port)), Duration.ofSeconds(30)).assertSucceeded();
        String line = official.output().lines().filter(l -> l.startsWith("RESULT ")).findFirst()
                .orElseThrow(() -> new AssertionError("no RESULT line:\n" + official.output()));
        JsonNode expected = JSON.readTree(line.substring("RESULT ".length()));

        JsonNode ours = runWithLoadGenerator();

        assertThat(ours.get("a")).isNotEmpty();
        assertThat(ours).isEqualTo(expected);
    }

    @Test
    void pollingHandshakeReachesTheConnectReply() throws Exception {
        LoadConfig config = LoadConfig.newBuilder().port(port).maxDuration(Duration.ofSeconds(30)).build();
        try (LoadGenerator gen = LoadGenerator.start(config)) {
            long nanos = gen.pollingHandshake().get(10, TimeUnit.SECONDS);
            assertThat(nanos).isPositive();
            assertThat(gen.pollingReconnects()).isZero(); // the Node server keeps the connection alive
        }
    }

    @Test
    void refusedConnectionIsClassifiedAsRefused() throws Exception {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            closedPort = s.getLocalPort();
        }
        LoadConfig config = LoadConfig.newBuilder().port(closedPort).maxDuration(Duration.ofSeconds(30)).build();
        try (LoadGenerator gen = LoadGenerator.start(config)) {
            ConnectReport report = gen.connectMany(3, 0, 3, null, null);
            assertThat(report.established()).isZero();
            assertThat(report.failures()).containsEntry(ConnectFailure.REFUSED, 3);
        }
    }

    private static JsonNode runWithLoadGenerator() throws Exception {
        LoadConfig config = LoadConfig.newBuilder().port(port).sourceAddresses(2).maxDuration(Duration.ofSeconds(30)).build();
        try (LoadGenerator gen = LoadGenerator.start(config)) {
            List<String> seenA = new CopyOnWriteArrayList<>();
            List<String> seenB = new CopyOnWriteArrayList<>();
            SioClient a = gen.connect("{\"name\":\"a\"}", (c, event, data) -> seenA.add(data)).get(10, TimeUnit.SECONDS);
            SioClient b = gen.connect("{\"name\":\"b\"}", (c, event, data) -> seenB.add(data)).get(10, TimeUnit.SECONDS);
            await(() -> count(seenA, "auth") == 1 && count(seenB, "auth") == 1);
            a.emitWithAck("[\"join\",\"r1\"]").get(5, TimeUnit.SECONDS);
            b.emitWithAck("[\"join\",\"r1\"]").get(5, TimeUnit.SECONDS);
            a.emit("[\"broadcast\",\"r1\",{\"n\":1,\"s\":\"x\"},[1,2]]");
            await(() -> count(seenA, "broadcast") == 1 && count(seenB, "broadcast") == 1);
            String ack = a.emitWithAck("[\"message-with-ack\",\"hello\",42,{\"k\":[true,null]}]").get(5, TimeUnit.SECONDS);
            ArrayNode ackEntry = JSON.createArrayNode().add("ack");
            ackEntry.addAll((ArrayNode) JSON.readTree(ack));
            seenA.add(JSON.writeValueAsString(ackEntry));
            a.emit("[\"message\",1,\"two\",{\"3\":3.5}]");
            await(() -> count(seenA, "message-back") == 1);
            return JSON.createObjectNode().<com.fasterxml.jackson.databind.node.ObjectNode>set("a", toArray(seenA)).set("b", toArray(seenB));
        }
    }

    private static long count(List<String> seen, String event) {
        return seen.stream().filter(d -> d.startsWith("[\"" + event + "\"")).count();
    }

    private static ArrayNode toArray(List<String> seen) throws Exception {
        ArrayNode arr = JSON.createArrayNode();
        for (String s : seen) {
            arr.add(JSON.readTree(s));
        }
        return arr;
    }

    /** Waits for a condition set by the clients' event loop. */
    private static void await(java.util.concurrent.Callable<Boolean> condition) {
        Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5)).until(condition);
    }
}
