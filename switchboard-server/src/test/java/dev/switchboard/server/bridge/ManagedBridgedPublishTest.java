package dev.switchboard.server.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.server.SwitchboardServer;
import dev.switchboard.server.config.ConfigLoader;
import io.socket.client.IO;
import io.socket.client.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code switchboard:publish} to a room of a bridge's outbound rules is acknowledged only once the bridge's
 * external system confirmed the message, and answered with the bridge's reason when it refuses it; driven by
 * the official Java client against the loopback bridge, whose confirmations the test gives.
 */
class ManagedBridgedPublishTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    private SwitchboardServer server;
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
                    { name = "orders", type = "test-loopback", rooms = [ { namespace = "/", filter = "orders/#" } ]
                      outbound { timeout = 20s } }
                    { name = "refusing", type = "test-loopback", rooms = [ { namespace = "/", filter = "refused/#" } ]
                      options { mode = fail } }
                  ]
                  managed-namespaces = [ { namespace = "/", subscribe = ["*"], publish = ["*"] } ]
                }
                """.formatted(dir.resolve("data").toString().replace("\\", "/")));
        server = SwitchboardServer.start(new ConfigLoader().load(Optional.of(conf), Map.of(), Map.of()));
        assertThat(server.awaitReady(WAIT)).as("every bridge up").isTrue();
    }

    @AfterEach
    void stop() {
        clients.forEach(Socket::close);
        server.stop();
    }

    private Socket connect() throws Exception {
        Socket s = IO.socket(URI.create("http://127.0.0.1:" + server.address().getPort()), IO.Options.builder()
                .setForceNew(true).setReconnection(false).setTransports(new String[] {"websocket"}).build());
        clients.add(s);
        CompletableFuture<Void> up = new CompletableFuture<>();
        s.once(Socket.EVENT_CONNECT, a -> up.complete(null));
        s.connect();
        up.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        return s;
    }

    private static CompletableFuture<JSONObject> publish(Socket s, String room, String event, Object data) throws Exception {
        CompletableFuture<JSONObject> answer = new CompletableFuture<>();
        s.emit("switchboard:publish", new Object[] {new JSONObject().put("room", room).put("event", event).put("data", data)},
                a -> answer.complete((JSONObject) a[0]));
        return answer;
    }

    @Test
    void theAckWaitsForTheBridgesConfirmation() throws Exception {
        Socket client = connect();
        CompletableFuture<JSONObject> ack = publish(client, "orders/7", "order", new JSONObject().put("qty", 2));
        LoopbackBridge orders = LoopbackBridge.INSTANCES.get("orders");
        Awaitility.await().atMost(WAIT).until(() -> orders.sent.size() == 1);
        LoopbackBridge.Sent sent = orders.sent.get(0);
        assertThat(sent.message().rooms()).containsExactly("orders/7");
        assertThat(sent.message().event()).isEqualTo("order");
        // An ack given at hand-off would have left before the bridge even took the message.
        assertThat(ack).as("no ack before the confirmation").isNotDone();
        sent.confirmation().complete(null);
        JSONObject answer = ack.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(answer.getBoolean("ok")).isTrue();
        assertThat(answer.getString("room")).isEqualTo("orders/7");
    }

    @Test
    void aRefusedMessageIsAnsweredWithTheBridgesReason() throws Exception {
        Socket client = connect();
        JSONObject answer = publish(client, "refused/1", "order", 1).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(answer.getString("error")).isEqualTo("bridge failed");
    }

    @Test
    void aRoomOfNoBridgeIsAcknowledgedOnceRouted() throws Exception {
        Socket client = connect();
        JSONObject answer = publish(client, "plain", "note", 1).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(answer.getBoolean("ok")).isTrue();
        assertThat(LoopbackBridge.INSTANCES.get("orders").sent).isEmpty();
    }
}
