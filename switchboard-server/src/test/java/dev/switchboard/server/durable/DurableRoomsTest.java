package dev.switchboard.server.durable;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.server.SwitchboardServer;
import dev.switchboard.server.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durable rooms with connection state recovery, the history API and inboxes, in-process, against the
 * official socket.io-client: a network drop (the client closes its transport), a server restart on the
 * same data directory, a history cut by retention.
 */
class DurableRoomsTest {

    @TempDir
    Path dir;

    private SwitchboardServer server;
    private final List<DurableClient> clients = new ArrayList<>();

    @AfterEach
    void tearDown() {
        clients.forEach(DurableClient::close);
        if (server != null) {
            server.stop();
        }
    }

    private String start(int port) throws Exception {
        Path conf = dir.resolve("switchboard.conf");
        Files.writeString(conf, """
                switchboard {
                  data-dir = "%s"
                  http.port = %d
                  demo.enabled = false
                  durable {
                    rooms = [
                      { namespace = "/", room = "orders-*" }
                      { room = "tiny-*", retention { max-messages = 3 } }
                    ]
                    retention-check = 50ms
                  }
                  inbox { ack-timeout = 700ms, max-attempts = 3 }
                }
                """.formatted(dir.resolve("data").toString().replace("\\", "/"), port));
        server = SwitchboardServer.start(new ConfigLoader().load(Optional.of(conf), Map.of(), Map.of()));
        return "http://127.0.0.1:" + server.address().getPort();
    }

    private DurableClient client(String base, String auth, boolean ack) {
        DurableClient c = new DurableClient(base, auth, ack);
        clients.add(c);
        return c;
    }

    private static void publish(String base, String room, String event, Object data) {
        Http.Response r = Http.post(base, "/api/publish",
                "{\"rooms\":[\"" + room + "\"],\"event\":\"" + event + "\",\"data\":" + data + "}");
        assertThat(r.status()).as("publish answered " + r.body()).isBetween(200, 299);
    }

    private static void join(String base, String socketId, String room) {
        Http.Response r = Http.post(base, "/api/join", "{\"sockets\":[\"" + socketId + "\"],\"rooms\":[\"" + room + "\"]}");
        assertThat(r.status()).as("join answered " + r.body()).isBetween(200, 299);
    }

    /** The first argument of each {@code event} from line {@code from}. */
    private static List<Integer> values(DurableClient c, int from, String event) {
        return c.events(from, event).stream().map(e -> e.path("args").get(0).asInt()).toList();
    }

    /** Connects, joins {@code room}, receives {@code 1..seen}, drops the transport. Returns the socket id. */
    private String connectReceiveAndDrop(DurableClient c, String base, String room, String event, int seen) {
        String id = c.awaitConnect(0).path("id").asText();
        join(base, id, room);
        for (int i = 1; i <= seen; i++) {
            publish(base, room, event, i);
        }
        Awaitility.await().until(() -> values(c, 0, event).size() == seen);
        assertThat(values(c, 0, event)).isEqualTo(seq(1, seen));
        JsonNode last = c.events(0, event).get(seen - 1).path("args");
        assertThat(last.size()).as("a durable room's event carries its recovery offset as last argument").isEqualTo(2);
        int mark = c.mark();
        c.command("{\"cmd\":\"drop\"}");
        c.await("disconnect", mark, l -> l.path("type").asText().equals("disconnect"));
        return id;
    }

    private static List<Integer> seq(int from, int to) {
        List<Integer> out = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            out.add(i);
        }
        return out;
    }

    @Test
    void aClientGetsExactlyWhatItMissedAfterANetworkDrop() throws Exception {
        String base = start(0);
        DurableClient c = client(base, "{}", true);
        String id = connectReceiveAndDrop(c, base, "orders-1", "order", 3);
        for (int i = 4; i <= 8; i++) {
            publish(base, "orders-1", "order", i); // stored before the 2xx; the client is away
        }
        publish(base, "other", "noise", 0); // not durable, nobody there

        int mark = c.mark();
        c.command("{\"cmd\":\"connect\"}");
        JsonNode connect = c.awaitConnect(mark);
        assertThat(connect.path("recovered").asBoolean()).as("socket.recovered").isTrue();
        assertThat(connect.path("id").asText()).as("same socket id").isEqualTo(id);
        publish(base, "orders-1", "order", 9); // still in the room: live delivery follows the replay
        Awaitility.await().until(() -> values(c, mark, "order").contains(9));
        assertThat(values(c, mark, "order")).as("missed ones in order, no gap, no duplicate, then live").isEqualTo(seq(4, 9));
        assertThat(c.events(0, "switchboard:history-truncated")).isEmpty();
    }

    @Test
    void theStoreAndTheRecoverySessionStoreAreSupervisedAndReportedByReadiness() throws Exception {
        String base = start(0);
        assertThat(server.awaitReady(java.time.Duration.ofSeconds(30))).isTrue();
        Http.Response ready = Http.get(base, "/health/ready");
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.body().path("components").path("store").path("status").asText()).isEqualTo("UP");
        assertThat(ready.body().path("components").path("recovery-sessions").path("status").asText()).isEqualTo("UP");

        DurableClient c = client(base, "{}", true);
        connectReceiveAndDrop(c, base, "orders-1", "order", 1);
        // The dropped socket's session is kept by the session store, in its files on this node.
        Path sessions = dir.resolve("data").resolve("recovery").resolve("sessions");
        Awaitility.await().until(() -> {
            try (var files = Files.list(sessions)) {
                return files.anyMatch(f -> f.getFileName().toString().endsWith(".session"));
            }
        });
    }

    @Test
    void recoveryWorksAcrossAServerRestartOnTheSameDataDirectory() throws Exception {
        String base = start(0);
        int port = server.address().getPort();
        DurableClient c = client(base, "{}", true);
        String id = connectReceiveAndDrop(c, base, "orders-7", "order", 2);
        publish(base, "orders-7", "order", 3);

        server.stop();
        server = null;
        base = start(port);
        publish(base, "orders-7", "order", 4);

        int mark = c.mark();
        c.command("{\"cmd\":\"connect\"}");
        JsonNode connect = c.awaitConnect(mark);
        assertThat(connect.path("recovered").asBoolean()).as("socket.recovered after a restart").isTrue();
        assertThat(connect.path("id").asText()).isEqualTo(id);
        publish(base, "orders-7", "order", 5);
        Awaitility.await().until(() -> values(c, mark, "order").contains(5));
        assertThat(values(c, mark, "order")).isEqualTo(seq(3, 5));
    }

    @Test
    void aClientWhoseOffsetIsNoLongerRetainedIsToldTheHistoryWasTruncated() throws Exception {
        String base = start(0);
        DurableClient c = client(base, "{}", true);
        connectReceiveAndDrop(c, base, "tiny-1", "tick", 1);
        for (int i = 2; i <= 8; i++) {
            publish(base, "tiny-1", "tick", i);
        }
        // Retention (3 messages) runs every 50 ms: wait until it dropped what the client missed.
        Awaitility.await().until(() -> Http.get(base, "/api/history?room=tiny-1").body().path("firstOffset").asLong() == 5);

        int mark = c.mark();
        c.command("{\"cmd\":\"connect\"}");
        assertThat(c.awaitConnect(mark).path("recovered").asBoolean()).isFalse();
        JsonNode notice = c.awaitEvent(mark, "switchboard:history-truncated").path("args").get(0);
        assertThat(notice.path("rooms").get(0).path("room").asText()).isEqualTo("tiny-1");
        assertThat(notice.path("rooms").get(0).path("firstOffset").asLong()).isEqualTo(5);
        assertThat(values(c, mark, "tick")).as("no silent partial replay").isEmpty();
    }

    @Test
    void theHistoryApiReadsFromAnOffsetOrATimeWithALimit() throws Exception {
        String base = start(0);
        long before = System.currentTimeMillis();
        for (int i = 0; i < 5; i++) {
            publish(base, "orders-h", "order", "{\"n\":" + i + "}");
        }
        JsonNode all = Http.get(base, "/api/history?namespace=/&room=orders-h").body();
        assertThat(all.path("nextOffset").asLong()).isEqualTo(5);
        List<Long> offsets = new ArrayList<>();
        all.path("messages").forEach(m -> offsets.add(m.path("offset").asLong()));
        assertThat(offsets).containsExactly(0L, 1L, 2L, 3L, 4L);
        assertThat(all.path("messages").get(2).path("event").asText()).isEqualTo("order");
        assertThat(all.path("messages").get(2).path("args").get(0).path("n").asInt()).isEqualTo(2);
        assertThat(all.path("messages").get(2).path("timeMillis").asLong()).isGreaterThanOrEqualTo(before);

        JsonNode page = Http.get(base, "/api/history?room=orders-h&from=3&limit=1").body();
        assertThat(page.path("messages")).hasSize(1);
        assertThat(page.path("messages").get(0).path("offset").asLong()).isEqualTo(3);
        assertThat(Http.get(base, "/api/history?room=orders-h&since=" + before).body().path("messages")).hasSize(5);
        assertThat(Http.get(base, "/api/history?room=orders-h&since=" + (System.currentTimeMillis() + 60_000))
                .body().path("messages")).isEmpty();

        assertThat(Http.get(base, "/api/history?room=lobby").status()).as("not durable").isEqualTo(404);
        assertThat(Http.get(base, "/api/history?room=orders-h&from=x").status()).isEqualTo(400);
        assertThat(Http.get(base, "/api/history?room=orders-h&from=1&since=1").status()).isEqualTo(400);

        // The same through the Java API.
        DurablePlane.History h = server.durable().historyFrom("/", "orders-h", 4, 10).toCompletableFuture().join();
        assertThat(h.messages()).extracting(DurablePlane.HistoryEntry::offset).containsExactly(4L);
    }

    @Test
    void inboxMessagesAreStoredDeliveredWithAnAckAndRemovedByIt() throws Exception {
        String base = start(0);
        DurableClient c = client(base, "{\"userId\":\"ann\"}", true);
        c.awaitConnect(0);
        Http.Response r = Http.post(base, "/api/inbox", "{\"user\":\"ann\",\"event\":\"note\",\"data\":{\"n\":1}}");
        assertThat(r.status()).isEqualTo(201);
        assertThat(r.body().path("id").isNumber()).isTrue();
        JsonNode got = c.awaitEvent(0, "note");
        assertThat(got.path("args").get(0).path("n").asInt()).isEqualTo(1);
        assertThat(got.path("acked").asBoolean()).isTrue();
        Awaitility.await().until(() -> Http.get(base, "/api/inbox?user=ann").body().path("depth").asLong() == 0);

        // Stored while the user is away, delivered when it connects.
        Http.post(base, "/api/inbox", "{\"user\":\"bob\",\"event\":\"note\",\"args\":[2,\"two\"]}");
        DurableClient bob = client(base, "{\"userId\":\"bob\"}", true);
        JsonNode bobs = bob.awaitEvent(0, "note");
        assertThat(bobs.path("args").get(0).asInt()).isEqualTo(2);
        assertThat(bobs.path("args").get(1).asText()).isEqualTo("two");

        assertThat(Http.post(base, "/api/inbox", "{\"user\":\"ann\"}").status()).isEqualTo(400);
        assertThat(Http.post(base, "/api/inbox", "{\"user\":\"ann\",\"event\":\"x\",\"oops\":1}").status()).isEqualTo(400);
        assertThat(Http.post(base, "/api/inbox", "not json").status()).isEqualTo(400);
    }

    @Test
    void anUnackedInboxMessageIsRedeliveredOnReconnectAndAfterTheTimeoutThenDeadLettered() throws Exception {
        String base = start(0);
        DurableClient c = client(base, "{\"userId\":\"cat\"}", false);
        c.awaitConnect(0);
        assertThat(Http.post(base, "/api/inbox", "{\"user\":\"cat\",\"event\":\"job\",\"data\":7}").status()).isEqualTo(201);
        c.awaitEvent(0, "job");
        // Dropped before acking: delivered again on reconnect, acked this time.
        int mark = c.mark();
        c.command("{\"cmd\":\"drop\"}");
        c.await("disconnect", mark, l -> l.path("type").asText().equals("disconnect"));
        c.command("{\"cmd\":\"ack\",\"on\":true}");
        int mark2 = c.mark();
        c.command("{\"cmd\":\"connect\"}");
        JsonNode again = c.awaitEvent(mark2, "job");
        assertThat(again.path("args").get(0).asInt()).isEqualTo(7);
        Awaitility.await().until(() -> Http.get(base, "/api/inbox?user=cat").body().path("depth").asLong() == 0);

        // Never acked: delivered max-attempts (3) times, 700 ms apart, then dead-lettered.
        c.command("{\"cmd\":\"ack\",\"on\":false}");
        int mark3 = c.mark();
        assertThat(Http.post(base, "/api/inbox", "{\"user\":\"cat\",\"event\":\"job\",\"data\":8}").status()).isEqualTo(201);
        Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() ->
                Http.get(base, "/api/inbox/dead?user=cat").body().path("messages").size() == 1);
        JsonNode dead = Http.get(base, "/api/inbox/dead?user=cat").body().path("messages").get(0);
        assertThat(dead.path("args").get(0).asInt()).isEqualTo(8);
        assertThat(c.events(mark3, "job")).hasSize(3);
        assertThat(Http.get(base, "/api/inbox?user=cat").body().path("depth").asLong()).isZero();
    }
}
