package dev.switchboard.server.managed;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.server.SwitchboardServer;
import dev.switchboard.server.auth.Tokens;
import dev.switchboard.server.config.ConfigLoader;
import io.socket.client.IO;
import io.socket.client.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
import org.awaitility.Awaitility;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The switchboard: protocol on a managed namespace, driven by the official Java client: permissions from
 * the namespace's defaults and the token's claim, denials with reasons, presence, history, room limits.
 */
class ManagedNamespaceTest {

    private static final String API_TOKEN = "api-token-0123456789";

    @TempDir
    Path dir;
    private SwitchboardServer server;
    private String base;
    private final List<Socket> clients = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        Path conf = dir.resolve("s.conf");
        Files.writeString(conf, """
                switchboard {
                  data-dir = "%s"
                  http.port = 0
                  demo.enabled = false
                  api.token = "%s"
                  auth.jwt.hmac-secret = "%s"
                  durable.rooms = [ { room = "public-log" } ]
                  managed-namespaces = [ { namespace = "/", subscribe = ["public-*", "user:{sub}"], publish = ["user:{sub}"], max-rooms = 3 } ]
                }
                """.formatted(dir.resolve("data").toString().replace("\\", "/"), API_TOKEN, Tokens.SECRET));
        server = SwitchboardServer.start(new ConfigLoader().load(Optional.of(conf), Map.of(), Map.of()));
        base = "http://127.0.0.1:" + server.address().getPort();
    }

    @AfterEach
    void stop() {
        clients.forEach(Socket::close);
        server.stop();
    }

    private Socket connect(String token) throws Exception {
        Socket s = IO.socket(URI.create(base), IO.Options.builder().setForceNew(true).setReconnection(false)
                .setTransports(new String[] {"websocket"}).setAuth(Map.of("token", token)).build());
        clients.add(s);
        CompletableFuture<Void> up = new CompletableFuture<>();
        s.once(Socket.EVENT_CONNECT, a -> up.complete(null));
        s.once(Socket.EVENT_CONNECT_ERROR, a -> up.completeExceptionally(new AssertionError("refused: " + a[0])));
        s.connect();
        up.get(20, TimeUnit.SECONDS);
        return s;
    }

    private static JSONObject ask(Socket s, String event, Object arg) throws Exception {
        CompletableFuture<JSONObject> answer = new CompletableFuture<>();
        s.emit(event, new Object[] {arg}, a -> answer.complete((JSONObject) a[0]));
        return answer.get(20, TimeUnit.SECONDS);
    }

    private static JSONObject publish(String room, String event, Object data) throws Exception {
        return new JSONObject().put("room", room).put("event", event).put("data", data);
    }

    @Test
    void clientsSubscribeAndPublishOnlyWhereTheirPermissionsAllow() throws Exception {
        Socket ann = connect(Tokens.hs256("ann", Duration.ofMinutes(5)));
        Socket bob = connect(Tokens.hs256(Tokens.SECRET, "bob", Duration.ofMinutes(5),
                Map.of("switchboard", Map.of("subscribe", List.of("team-b*"), "publish", List.of("team-b*")))));
        List<String> bobGot = Collections.synchronizedList(new ArrayList<>());
        bob.onAnyIncoming(a -> bobGot.add(a[0] + "=" + (a.length > 1 ? a[1] : "")));

        assertThat(ask(bob, "switchboard:subscribe", "user:ann").getString("error")).isEqualTo("not allowed to subscribe to user:ann");
        assertThat(ask(bob, "switchboard:subscribe", "team-a1").has("error")).isTrue();
        assertThat(ask(ann, "switchboard:subscribe", "team-b1").has("error")).as("the claim is bob's only").isTrue();
        assertThat(ask(bob, "switchboard:subscribe", "user:bob").getBoolean("ok")).isTrue();
        JSONObject joined = ask(bob, "switchboard:subscribe", new JSONObject().put("room", "team-b1"));
        assertThat(joined.getBoolean("ok")).isTrue();
        assertThat(joined.getString("room")).isEqualTo("team-b1");
        assertThat(ask(ann, "switchboard:subscribe", "user:ann").getBoolean("ok")).isTrue();

        assertThat(ask(bob, "switchboard:publish", publish("user:ann", "dm", "psst")).getString("error"))
                .isEqualTo("not allowed to publish to user:ann");
        assertThat(ask(ann, "switchboard:publish", publish("team-b1", "spam", 1)).has("error")).isTrue();
        assertThat(ask(bob, "switchboard:publish", publish("team-b1", "connect", 1)).getString("error")).contains("reserved");
        assertThat(ask(bob, "switchboard:publish", publish("team-b1", "hello", "team")).getBoolean("ok")).isTrue();
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> bobGot.contains("hello=team"));

        // Ann's own room takes what she may publish there; bob never gets it.
        CompletableFuture<Object> annGot = new CompletableFuture<>();
        ann.on("note", a -> annGot.complete(a[0]));
        assertThat(ask(ann, "switchboard:publish", publish("user:ann", "note", "to self")).getBoolean("ok")).isTrue();
        assertThat(annGot.get(20, TimeUnit.SECONDS)).isEqualTo("to self");
        assertThat(bobGot).noneMatch(e -> e.startsWith("note"));

        // Unsubscribed: no more deliveries of that room.
        assertThat(ask(bob, "switchboard:unsubscribe", "team-b1").getBoolean("ok")).isTrue();
        assertThat(ask(bob, "switchboard:unsubscribe", "team-b1").has("error")).isTrue();
        assertThat(metric("switchboard_managed_denied_total", "action=\"subscribe\"")).isGreaterThanOrEqualTo(3.0);
        assertThat(metric("switchboard_managed_denied_total", "action=\"publish\"")).isGreaterThanOrEqualTo(3.0);
    }

    @Test
    void presenceHistoryAndTheRoomLimit() throws Exception {
        Socket ann = connect(Tokens.hs256("ann", Duration.ofMinutes(5)));
        Socket bob = connect(Tokens.hs256("bob", Duration.ofMinutes(5)));
        assertThat(ask(ann, "switchboard:subscribe", "public-news").getBoolean("ok")).isTrue();
        assertThat(ask(bob, "switchboard:subscribe", "public-news").getBoolean("ok")).isTrue();
        JSONArray members = ask(ann, "switchboard:presence", "public-news").getJSONArray("members");
        List<String> users = new ArrayList<>();
        for (int i = 0; i < members.length(); i++) {
            users.add(members.getJSONObject(i).getString("user"));
        }
        assertThat(users).containsExactlyInAnyOrder("ann", "bob");
        assertThat(ask(ann, "switchboard:presence", "team-x").has("error")).isTrue();

        HttpResponse<String> published = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/api/publish"))
                .header("authorization", "Bearer " + API_TOKEN).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"event\":\"log\",\"data\":\"line 1\",\"rooms\":[\"public-log\"]}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(published.statusCode()).isEqualTo(200);
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() ->
                ask(ann, "switchboard:history", new JSONObject().put("room", "public-log").put("from", 0))
                        .optJSONArray("messages") != null
                        && ask(ann, "switchboard:history", new JSONObject().put("room", "public-log").put("from", 0))
                                .getJSONArray("messages").length() == 1);
        JSONObject history = ask(ann, "switchboard:history", new JSONObject().put("room", "public-log").put("from", 0));
        assertThat(history.getJSONArray("messages").getJSONObject(0).getString("event")).isEqualTo("log");
        assertThat(ask(ann, "switchboard:history", new JSONObject().put("room", "public-news")).getString("error"))
                .contains("not durable");

        assertThat(ask(ann, "switchboard:subscribe", "public-2").getBoolean("ok")).isTrue();
        assertThat(ask(ann, "switchboard:subscribe", "user:ann").getBoolean("ok")).isTrue();
        assertThat(ask(ann, "switchboard:subscribe", "public-4").getString("error")).contains("too many rooms");
        // Subscribing again to a room held already is not a new room.
        assertThat(ask(ann, "switchboard:subscribe", "public-2").getBoolean("ok")).isTrue();
    }

    private double metric(String name, String labels) throws Exception {
        String text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return text.lines().filter(l -> l.startsWith(name + "{") && l.contains(labels))
                .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .findFirst().orElseThrow(() -> new AssertionError("no sample " + name + " with " + labels));
    }
}
