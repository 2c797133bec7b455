package dev.switchboard.server.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.core.bridge.Inbound;
import dev.switchboard.core.message.Message;
import dev.switchboard.core.message.MessageId;
import dev.switchboard.server.SwitchboardServer;
import dev.switchboard.server.config.ConfigLoader;
import dev.switchboard.server.durable.DurableClient;
import dev.switchboard.server.durable.DurablePlane;
import dev.switchboard.server.durable.Http;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bridge's inbound messages to a durable room, through the server: each is appended to the room's
 * stream before it is routed and before the bridge's source is acknowledged (the acceptance carries its
 * stream position, and the history holds it by then), under its message id (the same id twice is stored
 * once), and it reaches the room's clients with its recovery offset, so a client that was away recovers it.
 */
class BridgeDurableRoomsTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private SwitchboardServer server;
    private String base;
    private DurableClient client;

    @BeforeEach
    void start() throws Exception {
        LoopbackBridge.INSTANCES.clear();
        Path conf = dir.resolve("switchboard.conf");
        Files.writeString(conf, """
                switchboard {
                  data-dir = "%s"
                  http.port = 0
                  demo.enabled = false
                  durable { rooms = [ { namespace = "/", room = "ledger-*" } ] }
                  bridges = [ { name = "source", type = "test-loopback" } ]
                }
                """.formatted(dir.resolve("data").toString().replace("\\", "/")));
        server = SwitchboardServer.start(new ConfigLoader().load(Optional.of(conf), Map.of(), Map.of()));
        base = "http://127.0.0.1:" + server.address().getPort();
        assertThat(server.awaitReady(WAIT)).as("the bridge is up").isTrue();
        await().atMost(WAIT).until(() -> LoopbackBridge.INSTANCES.get("source").inbound != null);
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.stop();
        }
    }

    private static Message entry(MessageId id, String text) {
        return Message.builder("/", "entry").id(id).rooms(Set.of("ledger-1")).arguments("[\"" + text + "\"]").build();
    }

    private Inbound.Accepted publish(Message m) throws Exception {
        return LoopbackBridge.INSTANCES.get("source").inbound.publish(m).toCompletableFuture()
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    private List<DurablePlane.HistoryEntry> history() {
        return server.durable().historyFrom("/", "ledger-1", 0, 100).toCompletableFuture().join().messages();
    }

    @Test
    void anInboundMessageToADurableRoomIsStoredOnceBeforeItIsAcceptedAndReachesClientsWithItsOffset() throws Exception {
        client = new DurableClient(base, "{}", true);
        String socketId = client.awaitConnect(0).path("id").asText();
        Http.Response joined = Http.post(base, "/api/join", "{\"sockets\":[\"" + socketId + "\"],\"rooms\":[\"ledger-1\"]}");
        assertThat(joined.status()).as("join answered " + joined.body()).isBetween(200, 299);

        MessageId id = MessageId.random();
        int mark = client.mark();
        Inbound.Accepted first = publish(entry(id, "credit"));
        assertThat(first.position()).as("stored before it was accepted").isNotEqualTo(Message.NO_POSITION);
        assertThat(history()).as("in the room's history by the time the source may be acknowledged")
                .extracting(DurablePlane.HistoryEntry::recoveryOffset).containsExactly(Long.toString(first.position()));
        JsonNode delivered = client.awaitEvent(mark, "entry");
        assertThat(delivered.path("args").toString()).isEqualTo("[\"credit\",\"" + first.position() + "\"]");

        Inbound.Accepted again = publish(entry(id, "credit"));
        assertThat(again.position()).as("the same message id is stored once").isEqualTo(first.position());
        assertThat(history()).hasSize(1);

        // A client that was away when the bridge published gets it on recovery.
        int dropped = client.mark();
        client.command("{\"cmd\":\"drop\"}");
        client.await("disconnect", dropped, l -> l.path("type").asText().equals("disconnect"));
        Inbound.Accepted missed = publish(entry(MessageId.random(), "debit"));
        int back = client.mark();
        client.command("{\"cmd\":\"connect\"}");
        assertThat(client.awaitConnect(back).path("recovered").asBoolean()).isTrue();
        assertThat(client.awaitEvent(back, "entry").path("args").toString())
                .isEqualTo("[\"debit\",\"" + missed.position() + "\"]");
        assertThat(history()).hasSize(2);
    }
}
