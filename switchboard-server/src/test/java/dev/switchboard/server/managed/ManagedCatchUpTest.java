package dev.switchboard.server.managed;

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
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durable rooms through the {@code switchboard:} protocol, with the official Java client: a publish is
 * acknowledged once stored (after its own delivery, which follows the store), and a subscribe from a recovery
 * offset delivers the missed events, then the live ones, while a publisher keeps publishing: every event
 * once, in order, none missing.
 */
class ManagedCatchUpTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    private SwitchboardServer server;
    private final List<Socket> clients = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        Path conf = dir.resolve("s.conf");
        Files.writeString(conf, """
                switchboard {
                  data-dir = "%s"
                  http.port = 0
                  demo.enabled = false
                  durable.rooms = [ { room = "log-*" } ]
                  managed-namespaces = [ { namespace = "/", subscribe = ["log-*", "plain"], publish = ["log-*"] } ]
                }
                """.formatted(dir.resolve("data").toString().replace("\\", "/")));
        server = SwitchboardServer.start(new ConfigLoader().load(Optional.of(conf), Map.of(), Map.of()));
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

    private static JSONObject ask(Socket s, String event, Object arg) throws Exception {
        CompletableFuture<JSONObject> answer = new CompletableFuture<>();
        s.emit(event, new Object[] {arg}, a -> answer.complete((JSONObject) a[0]));
        return answer.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    private static JSONObject publish(Socket s, String room, int n) throws Exception {
        return ask(s, "switchboard:publish", new JSONObject().put("room", room).put("event", "line").put("data", n));
    }

    @Test
    void aDurablePublishIsAcknowledgedAfterItIsStoredAndDelivered() throws Exception {
        Socket writer = connect();
        assertThat(ask(writer, "switchboard:subscribe", "log-a").getBoolean("ok")).isTrue();
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        writer.on("line", a -> seen.add("event " + a[0]));
        CompletableFuture<JSONObject> answer = new CompletableFuture<>();
        writer.emit("switchboard:publish", new Object[] {new JSONObject().put("room", "log-a").put("event", "line").put("data", 1)},
                a -> {
                    seen.add("ack");
                    answer.complete((JSONObject) a[0]);
                });
        assertThat(answer.get(WAIT.toSeconds(), TimeUnit.SECONDS).getBoolean("ok")).isTrue();
        // Delivery follows the store: an ack given at hand-off would come first.
        assertThat(seen).containsExactly("event 1", "ack");
        JSONObject history = ask(writer, "switchboard:history", new JSONObject().put("room", "log-a").put("from", 0));
        assertThat(history.getJSONArray("messages").length()).as("stored when acknowledged").isEqualTo(1);
    }

    @Test
    void subscribeFromAnOffsetDeliversTheMissedEventsThenTheLiveOnesEachOnce() throws Exception {
        Socket writer = connect();
        Socket reader = connect();
        assertThat(ask(reader, "switchboard:subscribe", "log-b").getBoolean("ok")).isTrue();
        CompletableFuture<String> firstOffset = new CompletableFuture<>();
        reader.once("line", a -> firstOffset.complete((String) a[a.length - 1])); // [data, offset]
        assertThat(publish(writer, "log-b", 1).getBoolean("ok")).isTrue();
        String offset = firstOffset.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        reader.close();

        for (int n = 2; n <= 20; n++) {
            assertThat(publish(writer, "log-b", n).getBoolean("ok")).isTrue();
        }
        Socket again = connect();
        List<Integer> got = Collections.synchronizedList(new ArrayList<>());
        again.on("line", a -> got.add((Integer) a[0]));
        // The writer goes on while the reader catches up: events land before, during and after the subscribe.
        CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
            try {
                for (int n = 21; n <= 60; n++) {
                    assertThat(publish(writer, "log-b", n).getBoolean("ok")).isTrue();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        JSONObject subscribed = ask(again, "switchboard:subscribe", new JSONObject().put("room", "log-b").put("offset", offset));
        assertThat(subscribed.getBoolean("ok")).as(subscribed.toString()).isTrue();
        assertThat(subscribed.getInt("replayed")).isGreaterThanOrEqualTo(19);
        writing.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        Awaitility.await().atMost(WAIT).until(() -> got.size() >= 59);
        assertThat(got).as("2..60, in order, once each").containsExactlyElementsOf(IntStream.rangeClosed(2, 60).boxed().toList());
    }

    @Test
    void anOffsetOnARoomThatIsNotDurableIsRefused() throws Exception {
        Socket s = connect();
        JSONObject answer = ask(s, "switchboard:subscribe", new JSONObject().put("room", "plain").put("offset", "3"));
        assertThat(answer.getString("error")).contains("not durable");
    }
}
