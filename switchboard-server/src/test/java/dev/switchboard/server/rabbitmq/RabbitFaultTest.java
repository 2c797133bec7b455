package dev.switchboard.server.rabbitmq;

import static dev.switchboard.server.rabbitmq.RabbitPeers.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import dev.switchboard.rabbitmq.inbox.RabbitQueueStore;
import dev.switchboard.server.SwitchboardServer;
import dev.switchboard.server.config.ConfigLoader;
import io.socket.client.Ack;
import io.socket.client.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults against the machine's real broker: {@code rabbitmqctl stop_app} / {@code start_app} while
 * messages flow both ways and inboxes are in use, and a bridge queue deleted under a running bridge.
 * The broker is shared with other work on the machine: the outage is kept short, {@code start_app}
 * always runs in a {@code finally}, and every queue and exchange here has a random suffix and is deleted.
 */
class RabbitFaultTest {

    private static final Duration OUTAGE_WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    private SwitchboardServer server;
    private RabbitPeers peers;
    private String newsExchange;
    private String newsQueue;
    private String ordersExchange;
    private String sink;

    @BeforeEach
    void start() throws Exception {
        peers = new RabbitPeers();
        newsExchange = RabbitPeers.unique("test.fault.news");
        newsQueue = RabbitPeers.unique("test.fault.bridge");
        ordersExchange = RabbitPeers.unique("test.fault.orders");
        sink = RabbitPeers.unique("test.fault.sink");
        try (Channel ch = peers.amqp.createChannel()) {
            ch.exchangeDeclare(ordersExchange, "topic", true);
            ch.queueDeclare(sink, true, false, false, Map.of("x-queue-type", "quorum"));
            ch.queueBind(sink, ordersExchange, "order");
        }
        peers.deleteQueueAfterwards(sink);
        peers.deleteQueueAfterwards(newsQueue);
        Path conf = dir.resolve("switchboard.conf");
        Files.writeString(conf, """
                switchboard {
                  data-dir = "%s"
                  http.port = 0
                  demo.enabled = false
                  rabbitmq.recovery-interval = 1s
                  inbox { store = rabbitmq, ack-timeout = 5s }
                  bridges = [ {
                    name = "fault", type = "rabbitmq"
                    events = [ { event = "order" } ]
                    outbound.timeout = 5s
                    options {
                      inbound = [ { exchange = "%s", queue = "%s", event = "fixed:news" } ]
                      outbound = [ { event = "order", exchange = "%s", routing-key = "order" } ]
                    }
                  } ]
                }
                """.formatted(dir.resolve("data").toString().replace("\\", "/"), newsExchange, newsQueue, ordersExchange));
        server = SwitchboardServer.start(new ConfigLoader().load(Optional.of(conf), Map.of(), Map.of()));
        peers.base = "http://127.0.0.1:" + server.address().getPort();
        assertThat(server.awaitReady(WAIT)).as(peers.get("/health/ready").body()).isTrue();
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
            // After an outage the test's first connection is gone: clean up on a new one.
            RabbitPeers cleanup = peers.amqp.isOpen() ? peers : new RabbitPeers();
            if (cleanup != peers) {
                peers.queuesToDelete().forEach(cleanup::deleteQueueAfterwards);
            }
            try (Channel ch = cleanup.amqp.createChannel()) {
                ch.exchangeDelete(newsExchange);
                ch.exchangeDelete(ordersExchange);
            }
            cleanup.close();
            if (cleanup != peers && peers.amqp.isOpen()) {
                peers.close();
            }
        }
    }

    @Test
    void brokerStoppedAndStartedWhileTrafficFlows() throws Exception {
        Socket reader = peers.connect(null);
        Set<Integer> received = ConcurrentHashMap.newKeySet();
        reader.on("news", args -> received.add((Integer) args[0]));
        join(reader, "r");
        Socket orderer = peers.connect(null);
        String user = RabbitPeers.unique("user");
        peers.deleteQueueAfterwards(RabbitQueueStore.queueName("inbox/" + user));
        Set<Integer> acked = new HashSet<>();

        // Before: both ways work; then a burst the publisher has confirmed, right before the broker stops.
        for (int i = 0; i < 5; i++) {
            assertThat(order(orderer, i)).isEqualTo("ok");
            acked.add(i);
        }
        assertThat(peers.post("/api/inbox", inbox(user, 1)).statusCode()).isEqualTo(201);
        int burst = 300;
        publishConfirmed(peers.amqp, 0, burst);

        // The outage.
        try {
            rabbitmqctl("stop_app");
            await().atMost(OUTAGE_WAIT).until(() -> peers.get("/health/ready").statusCode() == 503);
            assertThat(peers.get("/health/ready").body()).contains("\"rabbitmq\":{\"status\":\"DOWN\"");
            assertThat(peers.get("/health/live").statusCode()).as("the server keeps serving").isEqualTo(200);
            assertThat(reader.connected()).as("Socket.IO clients stay connected").isTrue();
            String during = order(orderer, 1000);
            assertThat(during).as("an order during the outage is not confirmed").isNotEqualTo("ok");
            assertThat(peers.post("/api/inbox", inbox(user, 2)).statusCode()).as("inbox publish").isEqualTo(503);
        } finally {
            rabbitmqctl("start_app");
        }

        // After: the connection, the consumer and the inbox come back by themselves.
        await().atMost(OUTAGE_WAIT).until(() -> peers.get("/health/ready").statusCode() == 200);
        ConnectionFactory f = new ConnectionFactory();
        f.setUri("amqp://guest:guest@127.0.0.1:5672");
        try (Connection again = f.newConnection("switchboard-fault-test")) {
            publishConfirmed(again, burst, burst + 50);
            await().atMost(OUTAGE_WAIT).until(() -> received.size() == burst + 50);
            for (int i = 0; i < burst + 50; i++) {
                assertThat(received).as("confirmed message " + i).contains(i);
            }
            await().atMost(OUTAGE_WAIT).ignoreExceptions().until(() -> order(orderer, 2000).equals("ok"));
            acked.add(2000);
            for (int i = 10; i < 15; i++) {
                assertThat(order(orderer, i)).isEqualTo("ok");
                acked.add(i);
            }
            // Every order acked ok is in the queue it was routed to.
            Set<Integer> inSink = new HashSet<>();
            try (Channel ch = again.createChannel()) {
                GetResponse r;
                while ((r = ch.basicGet(sink, true)) != null) {
                    inSink.add(new JSONObject(new String(r.getBody(), StandardCharsets.UTF_8)).getInt("n"));
                }
            }
            assertThat(inSink).containsAll(acked);
        }
        // The inbox message stored before the outage is delivered after it.
        Socket owner = peers.connect(Map.of("userId", user));
        BlockingQueue<Object[]> notes = new LinkedBlockingQueue<>();
        owner.on("note", args -> {
            notes.add(args);
            ((Ack) args[args.length - 1]).call();
        });
        Object[] note = notes.poll(OUTAGE_WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(note).as("inbox message from before the outage").isNotNull();
        assertThat(((JSONObject) note[0]).getInt("n")).isEqualTo(1);
    }

    @Test
    void aBridgeQueueDeletedUnderTheBridgeIsDeclaredAgain() throws Exception {
        Socket reader = peers.connect(null);
        BlockingQueue<Object[]> got = new LinkedBlockingQueue<>();
        reader.on("news", got::add);
        join(reader, "r");
        try (Channel ch = peers.amqp.createChannel()) {
            ch.queueDelete(newsQueue);
        }
        // The broker cancels the consumer; the bridge restarts and declares and binds its queue again.
        await().atMost(WAIT).until(() -> {
            publishConfirmed(peers.amqp, 1, 2);
            return got.poll(500, TimeUnit.MILLISECONDS) != null;
        });
        assertThat(server.awaitReady(WAIT)).isTrue();
        assertThat(peers.get("/health/ready").body()).contains("\"bridge-fault\":{\"status\":\"UP\"");
    }

    private void publishConfirmed(Connection c, int from, int to) throws Exception {
        try (Channel ch = c.createChannel()) {
            ch.confirmSelect();
            for (int i = from; i < to; i++) {
                ch.basicPublish(newsExchange, "r", new AMQP.BasicProperties.Builder().deliveryMode(2)
                        .messageId("news-" + i).build(), Integer.toString(i).getBytes(StandardCharsets.UTF_8));
            }
            ch.waitForConfirmsOrDie(WAIT.toMillis());
        }
    }

    /** "ok", or the error message of the ack. */
    private static String order(Socket s, int n) throws Exception {
        BlockingQueue<Object[]> answers = new LinkedBlockingQueue<>();
        s.emit("order", new Object[] {new JSONObject().put("n", n)}, (Ack) answers::add);
        Object[] ack = answers.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(ack).as("ack of order " + n).isNotNull();
        JSONObject a = (JSONObject) ack[0];
        return a.optBoolean("ok") ? "ok" : a.getJSONObject("error").getString("message");
    }

    private static String inbox(String user, int n) {
        return "{\"user\":\"" + user + "\",\"event\":\"note\",\"data\":{\"n\":" + n + "}}";
    }

    private void join(Socket s, String room) throws Exception {
        var r = peers.post("/api/join", "{\"sockets\":[\"" + s.id() + "\"],\"rooms\":[\"" + room + "\"]}");
        assertThat(r.statusCode()).as("join: " + r.body()).isBetween(200, 299);
    }

    private static void rabbitmqctl(String command) throws Exception {
        Process p = new ProcessBuilder(List.of("rabbitmqctl", command)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("rabbitmqctl " + command).isTrue();
        assertThat(p.exitValue()).as("rabbitmqctl " + command + ": " + out).isZero();
    }
}
