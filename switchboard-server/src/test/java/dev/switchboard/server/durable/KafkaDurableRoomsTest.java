package dev.switchboard.server.durable;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.server.SwitchboardServer;
import dev.switchboard.server.config.ConfigLoader;
import dev.switchboard.testkit.kafka.KafkaBroker;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durable rooms on {@code switchboard.store = kafka}, in-process, against a real single-node Kafka
 * broker (a child JVM, started once for the class) and the official socket.io-client: a publish
 * answered after Kafka's acknowledgement, recovery with exactly the missed messages after a network
 * drop and after a Switchboard restart, and a start while the brokers are unreachable.
 */
class KafkaDurableRoomsTest {

    @TempDir
    static Path shared;

    @TempDir
    Path dir;

    private static KafkaBroker broker;
    private static final AtomicInteger topics = new AtomicInteger();

    private SwitchboardServer server;
    private final List<DurableClient> clients = new ArrayList<>();
    private String topic;

    @BeforeAll
    static void startBroker() {
        broker = KafkaBroker.startForTests(shared.resolve("kafka"));
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.kill();
        }
    }

    @AfterEach
    void tearDown() {
        clients.forEach(DurableClient::close);
        if (server != null) {
            server.stop();
        }
    }

    private String start(int port, String bootstrap) throws Exception {
        if (topic == null) {
            topic = "rooms-" + topics.incrementAndGet(); // one topic per test: no test sees another's records
        }
        Path conf = dir.resolve("switchboard.conf");
        Files.writeString(conf, """
                switchboard {
                  data-dir = "%s"
                  http.port = %d
                  demo.enabled = false
                  store = kafka
                  kafka { bootstrap-servers = "%s", topic = "%s", partitions = 2, request-timeout = 20s }
                  durable.rooms = [ { namespace = "/", room = "orders-*" } ]
                }
                """.formatted(dir.resolve("data").toString().replace("\\", "/"), port, bootstrap, topic));
        server = SwitchboardServer.start(new ConfigLoader().load(Optional.of(conf), Map.of(), Map.of()));
        return "http://127.0.0.1:" + server.address().getPort();
    }

    private DurableClient client(String base) {
        DurableClient c = new DurableClient(base, "{}", true);
        clients.add(c);
        return c;
    }

    private static Http.Response publish(String base, String room, String event, Object data) {
        return Http.post(base, "/api/publish", "{\"rooms\":[\"" + room + "\"],\"event\":\"" + event + "\",\"data\":" + data + "}");
    }

    private static void published(String base, String room, String event, Object data) {
        Http.Response r = publish(base, room, event, data);
        assertThat(r.status()).as("publish answered " + r.body()).isBetween(200, 299);
    }

    private static List<Integer> values(DurableClient c, int from, String event) {
        return c.events(from, event).stream().map(e -> e.path("args").get(0).asInt()).toList();
    }

    private static List<Integer> seq(int from, int to) {
        List<Integer> out = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            out.add(i);
        }
        return out;
    }

    /** Connects, joins {@code room}, receives {@code 1..seen}, drops the transport. Returns the socket id. */
    private String connectReceiveAndDrop(DurableClient c, String base, String room, int seen) {
        String id = c.awaitConnect(0).path("id").asText();
        Http.Response joined = Http.post(base, "/api/join", "{\"sockets\":[\"" + id + "\"],\"rooms\":[\"" + room + "\"]}");
        assertThat(joined.status()).isBetween(200, 299);
        for (int i = 1; i <= seen; i++) {
            published(base, room, "order", i);
        }
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> values(c, 0, "order").size() == seen);
        assertThat(values(c, 0, "order")).isEqualTo(seq(1, seen));
        int mark = c.mark();
        c.command("{\"cmd\":\"drop\"}");
        c.await("disconnect", mark, l -> l.path("type").asText().equals("disconnect"));
        return id;
    }

    @Test
    void aClientGetsExactlyWhatItMissedFromKafkaAfterANetworkDrop() throws Exception {
        String base = start(0, broker.bootstrapServers());
        assertThat(server.awaitReady(Duration.ofSeconds(60))).as("ready once Kafka is connected").isTrue();
        DurableClient c = client(base);
        String id = connectReceiveAndDrop(c, base, "orders-1", 3);
        for (int i = 4; i <= 8; i++) {
            published(base, "orders-1", "order", i); // acknowledged by Kafka before the 2xx; the client is away
        }
        int mark = c.mark();
        c.command("{\"cmd\":\"connect\"}");
        JsonNode connect = c.awaitConnect(mark);
        assertThat(connect.path("recovered").asBoolean()).as("socket.recovered").isTrue();
        assertThat(connect.path("id").asText()).isEqualTo(id);
        published(base, "orders-1", "order", 9);
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> values(c, mark, "order").contains(9));
        assertThat(values(c, mark, "order")).as("missed ones in order, no gap, no duplicate, then live").isEqualTo(seq(4, 9));

        // The history API reads the same messages back from Kafka; positions are Kafka offsets.
        JsonNode history = Http.get(base, "/api/history?room=orders-1").body();
        List<Integer> stored = new ArrayList<>();
        history.path("messages").forEach(m -> stored.add(m.path("args").get(0).asInt()));
        assertThat(stored).isEqualTo(seq(1, 9));
    }

    @Test
    void recoveryFromKafkaWorksAcrossASwitchboardRestart() throws Exception {
        String base = start(0, broker.bootstrapServers());
        int port = server.address().getPort();
        DurableClient c = client(base);
        String id = connectReceiveAndDrop(c, base, "orders-7", 2);
        published(base, "orders-7", "order", 3);

        server.stop();
        server = null;
        base = start(port, broker.bootstrapServers());
        assertThat(server.awaitReady(Duration.ofSeconds(60))).isTrue();
        published(base, "orders-7", "order", 4);

        int mark = c.mark();
        c.command("{\"cmd\":\"connect\"}");
        JsonNode connect = c.awaitConnect(mark);
        assertThat(connect.path("recovered").asBoolean()).as("socket.recovered after a restart").isTrue();
        assertThat(connect.path("id").asText()).isEqualTo(id);
        published(base, "orders-7", "order", 5);
        String b = base;
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> values(c, mark, "order").contains(5));
        assertThat(values(c, mark, "order")).isEqualTo(seq(3, 5));
        assertThat(Http.get(b, "/health/ready").status()).isEqualTo(200);
    }

    @Test
    void withTheBrokersUnreachableTheServerStartsAndDurablePublishesAnswer503() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        String base = start(0, "127.0.0.1:" + closedPort);
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> {
            JsonNode kafka = Http.get(base, "/health/ready").body().path("components").path("kafka-streams");
            return !kafka.isMissingNode() && !kafka.path("status").asText().equals("UP") && !kafka.path("status").asText().isEmpty();
        });
        Http.Response ready = Http.get(base, "/health/ready");
        assertThat(ready.status()).isEqualTo(503);
        assertThat(ready.body().path("components").path("recovery-sessions").path("status").asText()).isEqualTo("UP");

        Http.Response durable = publish(base, "orders-1", "order", 1);
        assertThat(durable.status()).as(durable.body().toString()).isEqualTo(503);
        Http.Response plain = publish(base, "lobby", "hello", 1);
        assertThat(plain.status()).as("rooms that are not durable do not need Kafka").isBetween(200, 299);
    }
}
