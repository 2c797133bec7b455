package dev.switchboard.server.rabbitmq;

import static dev.switchboard.server.rabbitmq.RabbitPeers.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import dev.switchboard.rabbitmq.inbox.RabbitQueueStore;
import dev.switchboard.server.SwitchboardServer;
import dev.switchboard.server.config.ConfigLoader;
import io.socket.client.Ack;
import io.socket.client.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code docs/examples/rabbitmq.conf}, loaded as it is (only the data directory, the port and the demo
 * page overridden), against the machine's RabbitMQ with amqp-client on the other side and the official
 * Socket.IO Java client: each of its rules, and what happens to messages that do not fit them.
 */
class RabbitExampleTest {

    static final Path EXAMPLE = Path.of("..", "docs", "examples", "rabbitmq.conf");

    @TempDir
    Path dir;

    private SwitchboardServer server;
    private RabbitPeers peers;

    @BeforeEach
    void start() throws Exception {
        peers = new RabbitPeers();
        // The example's own names; nothing else on the machine uses them.
        peers.deleteQueueAfterwards("switchboard.news");
        server = SwitchboardServer.start(new ConfigLoader().load(Optional.of(EXAMPLE), Map.of(), Map.of(
                "switchboard.data-dir", dir.resolve("data").toString(),
                "switchboard.http.port", 0,
                "switchboard.demo.enabled", false)));
        peers.base = "http://127.0.0.1:" + server.address().getPort();
        assertThat(server.awaitReady(WAIT)).as("rabbitmq and the bridge up: " + peers.get("/health/ready").body()).isTrue();
    }

    @AfterEach
    void stop() throws Exception {
        if (peers != null) {
            peers.closeSockets();
        }
        if (server != null) {
            server.stop();
        }
        if (peers != null) {
            peers.close();
        }
    }

    @Test
    void aMessageOnExchangeNewsReachesTheRoomOfItsRoutingKeyAsEventNews() throws Exception {
        Socket sports = peers.connect(null);
        Socket weather = peers.connect(null);
        String room = RabbitPeers.unique("sports");
        BlockingQueue<Object[]> got = new LinkedBlockingQueue<>();
        BlockingQueue<Object[]> elsewhere = new LinkedBlockingQueue<>();
        sports.on("news", got::add);
        weather.on("news", elsewhere::add);
        join(sports, room);
        join(weather, RabbitPeers.unique("weather"));

        try (Channel ch = peers.amqp.createChannel()) {
            ch.basicPublish("news", room, new AMQP.BasicProperties.Builder().messageId(RabbitPeers.unique("m")).build(),
                    "{\"title\":\"goal\"}".getBytes(StandardCharsets.UTF_8));
        }
        Object[] event = got.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(event).as("news delivered to the room").isNotNull();
        assertThat(((JSONObject) event[0]).getString("title")).isEqualTo("goal");
        assertThat(elsewhere.poll(300, TimeUnit.MILLISECONDS)).as("not to another room").isNull();
        // Acked once the fabric took it: nothing left in the bridge's queue.
        try (Channel ch = peers.amqp.createChannel()) {
            await().atMost(WAIT).until(() -> ch.queueDeclarePassive("switchboard.news").getMessageCount() == 0);
            assertThat(ch.basicGet("switchboard.news", true)).isNull();
        }
        assertThat(peers.get("/metrics").body()).containsPattern("switchboard_bridge_in_total\\{[^}]*bridge=\"rabbitmq\"} [1-9]");
    }

    @Test
    void aRedeliveredMessageIdIsDeliveredOnce() throws Exception {
        Socket client = peers.connect(null);
        String room = RabbitPeers.unique("dedup");
        BlockingQueue<Object[]> got = new LinkedBlockingQueue<>();
        client.on("news", got::add);
        join(client, room);
        String id = RabbitPeers.unique("same-id");
        try (Channel ch = peers.amqp.createChannel()) {
            AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().messageId(id).build();
            ch.basicPublish("news", room, props, "1".getBytes(StandardCharsets.UTF_8));
            ch.basicPublish("news", room, props, "1".getBytes(StandardCharsets.UTF_8));
            ch.basicPublish("news", room, new AMQP.BasicProperties.Builder().messageId(id + "-other").build(),
                    "2".getBytes(StandardCharsets.UTF_8));
        }
        assertThat(got.poll(WAIT.toSeconds(), TimeUnit.SECONDS)[0]).isEqualTo(1);
        assertThat(got.poll(WAIT.toSeconds(), TimeUnit.SECONDS)[0]).as("the copy was skipped").isEqualTo(2);
        assertThat(got.poll(300, TimeUnit.MILLISECONDS)).isNull();
        assertThat(peers.get("/metrics").body()).containsPattern("switchboard_rabbitmq_duplicates_total\\{[^}]*bridge=\"rabbitmq\"} [1-9]");
    }

    @Test
    void aBodyThatIsNotJsonIsDeadLetteredWithItsReason() throws Exception {
        String id = RabbitPeers.unique("bad");
        try (Channel ch = peers.amqp.createChannel()) {
            ch.basicPublish("news", "anywhere", new AMQP.BasicProperties.Builder().messageId(id).build(),
                    "{not json".getBytes(StandardCharsets.UTF_8));
            GetResponse dead = await().atMost(WAIT).until(() -> findDeadLetter(ch, "switchboard.dead-letters", id),
                    r -> r != null);
            assertThat(new String(dead.getBody(), StandardCharsets.UTF_8)).isEqualTo("{not json");
            assertThat(dead.getProps().getHeaders().get("x-switchboard-reason").toString()).startsWith("body is not JSON");
            assertThat(dead.getProps().getHeaders().get("x-switchboard-queue").toString()).isEqualTo("switchboard.news");
            await().atMost(WAIT).until(() -> ch.queueDeclarePassive("switchboard.news").getMessageCount() == 0);
        }
        assertThat(peers.get("/metrics").body()).containsPattern(
                "switchboard_rabbitmq_dead_lettered_total\\{[^}]*bridge=\"rabbitmq\",reason=\"not-json\"} [1-9]");
    }

    @Test
    void anOrderIsPublishedToExchangeOrdersAndAckedAfterTheBrokerConfirmed() throws Exception {
        Socket client = peers.connect(null);
        try (Channel ch = peers.amqp.createChannel()) {
            String sink = peers.bindQueue(ch, "orders", "order");
            BlockingQueue<Object[]> answers = new LinkedBlockingQueue<>();
            client.emit("order", new Object[] {new JSONObject().put("id", 7)}, (Ack) answers::add);

            Object[] ack = answers.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(ack).as("ack").isNotNull();
            assertThat(((JSONObject) ack[0]).getBoolean("ok")).isTrue();
            // Confirmed means routed to the queue: it is there by the time the ack arrives.
            GetResponse r = ch.basicGet(sink, true);
            assertThat(r).isNotNull();
            assertThat(r.getEnvelope().getRoutingKey()).isEqualTo("order");
            assertThat(new JSONObject(new String(r.getBody(), StandardCharsets.UTF_8)).getInt("id")).isEqualTo(7);
            assertThat(r.getProps().getDeliveryMode()).as("persistent").isEqualTo(2);
            assertThat(r.getProps().getHeaders().get("socket").toString()).isEqualTo(client.id());
            assertThat(r.getProps().getMessageId()).isNotEmpty();
        }
    }

    @Test
    void anOrderNoQueueIsBoundForGetsAnErrorAck() throws Exception {
        Socket client = peers.connect(null);
        BlockingQueue<Object[]> answers = new LinkedBlockingQueue<>();
        client.emit("order", new Object[] {new JSONObject().put("id", 8)}, (Ack) answers::add);
        Object[] ack = answers.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(ack).as("ack").isNotNull();
        assertThat(((JSONObject) ack[0]).getJSONObject("error").getString("message")).isEqualTo("bridge failed");
        assertThat(peers.get("/metrics").body()).containsPattern("switchboard_rabbitmq_returned_total\\{[^}]*bridge=\"rabbitmq\"} [1-9]");
    }

    @Test
    void inboxesAreQuorumQueuesDeliveredWithAcks() throws Exception {
        String user = RabbitPeers.unique("user");
        String queue = RabbitQueueStore.queueName("inbox/" + user);
        peers.deleteQueueAfterwards(queue);
        assertThat(peers.post("/api/inbox", "{\"user\":\"" + user + "\",\"event\":\"note\",\"data\":{\"n\":1}}").statusCode())
                .isEqualTo(201);
        assertThat(queueType(queue)).isEqualTo("quorum");

        Socket client = peers.connect(Map.of("userId", user));
        BlockingQueue<Object[]> notes = new LinkedBlockingQueue<>();
        client.on("note", args -> {
            notes.add(args);
            ((Ack) args[args.length - 1]).call("done");
        });
        Object[] note = notes.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(note).as("inbox delivered").isNotNull();
        assertThat(((JSONObject) note[0]).getInt("n")).isEqualTo(1);
        await().atMost(WAIT).until(() -> peers.get("/api/inbox?user=" + user).body().contains("\"depth\":0"));
    }

    private void join(Socket s, String room) throws Exception {
        var r = peers.post("/api/join", "{\"sockets\":[\"" + s.id() + "\"],\"rooms\":[\"" + room + "\"]}");
        assertThat(r.statusCode()).as("join: " + r.body()).isBetween(200, 299);
    }

    static GetResponse findDeadLetter(Channel ch, String queue, String messageId) throws Exception {
        // Looks through the shared dead-letter queue without taking anything: unacked gets go back on close.
        try (Channel scan = ch.getConnection().createChannel()) {
            for (int i = 0; i < 10_000; i++) {
                GetResponse r = scan.basicGet(queue, false);
                if (r == null) {
                    return null;
                }
                if (messageId.equals(r.getProps().getMessageId())) {
                    scan.basicAck(r.getEnvelope().getDeliveryTag(), false);
                    return r;
                }
            }
        }
        return null;
    }

    static String queueType(String queue) throws Exception {
        Process p = new ProcessBuilder("rabbitmqctl", "-q", "list_queues", "name", "type").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(60, TimeUnit.SECONDS);
        for (String line : out.split("\n")) {
            String[] cols = line.split("\t");
            if (cols.length == 2 && cols[0].equals(queue)) {
                return cols[1].trim();
            }
        }
        return "absent: " + List.of(out.split("\n")).size() + " queues listed";
    }
}
