package dev.switchboard.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.server.SwitchboardServer;
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
import org.json.JSONObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JWT authentication seen by the official Java Socket.IO client against the whole server: refusals with
 * their reason, inboxes bound to {@code sub} whatever else the handshake says, and a token that expires
 * while connected (notice, refresh, disconnect).
 */
class SocketAuthTest {

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
                  auth.jwt {
                    hmac-secret = "%s"
                    expiry-notice = 2s
                    expiry-grace = 2s
                  }
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

    private Socket client(Map<String, String> auth) {
        IO.Options o = IO.Options.builder()
                .setForceNew(true)
                .setReconnection(false)
                .setTransports(new String[] {"websocket"})
                .setAuth(auth)
                .build();
        Socket s = IO.socket(URI.create(base), o);
        clients.add(s);
        return s;
    }

    /** The CONNECT_ERROR payload ({message, data}) the client got, or the socket id when it connected. */
    private Object connect(Socket s) throws Exception {
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        s.once(Socket.EVENT_CONNECT, a -> outcome.complete(s.id()));
        s.once(Socket.EVENT_CONNECT_ERROR, a -> outcome.complete(a[0]));
        s.connect();
        return outcome.get(20, TimeUnit.SECONDS);
    }

    private String refusalReason(Map<String, String> auth) throws Exception {
        Object o = connect(client(auth));
        assertThat(o).as("refused with a CONNECT_ERROR").isInstanceOf(JSONObject.class);
        JSONObject err = (JSONObject) o;
        assertThat(err.getString("message")).isEqualTo("unauthorized");
        return err.getJSONObject("data").getString("reason");
    }

    @Test
    void missingExpiredAndForgedTokensAreRefusedWithTheirReason() throws Exception {
        assertThat(refusalReason(Map.of())).isEqualTo("token missing");
        assertThat(refusalReason(Map.of("userId", "ann"))).isEqualTo("token missing");
        assertThat(refusalReason(Map.of("token", "garbage"))).isEqualTo("malformed token");
        assertThat(refusalReason(Map.of("token", Tokens.hs256("ann", Duration.ofMinutes(-10))))).isEqualTo("token expired");
        assertThat(refusalReason(Map.of("token", Tokens.hs256("another-secret-of-at-least-32-bytes-xxxxxx", "ann",
                Duration.ofMinutes(5), Map.of())))).isEqualTo("bad signature");
        assertThat(connect(client(Map.of("token", Tokens.hs256("ann", Duration.ofMinutes(5)))))).isInstanceOf(String.class);
        assertThat(metric("switchboard_auth_refusals_total", "reason=\"token expired\"")).isEqualTo(1.0);
    }

    @Test
    void aTokenForBobNeitherReceivesNorAcksAnnsInbox() throws Exception {
        // Bob claims to be Ann in every way the handshake allows; only his token's sub counts.
        Socket bob = client(Map.of("token", Tokens.hs256("bob", Duration.ofMinutes(5)), "userId", "ann"));
        List<String> bobGot = Collections.synchronizedList(new ArrayList<>());
        bob.onAnyIncoming(args -> bobGot.add(String.valueOf(args[0])));
        assertThat(connect(bob)).isInstanceOf(String.class);

        assertThat(post("/api/inbox", "{\"user\":\"ann\",\"event\":\"secret\",\"data\":\"for ann\"}").statusCode()).isEqualTo(201);
        assertThat(post("/api/inbox", "{\"user\":\"bob\",\"event\":\"note\",\"data\":\"for bob\"}").statusCode()).isEqualTo(201);
        // Bob's own inbox reaches him: from here on, anything of Ann's bound to his socket would have come too.
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> bobGot.contains("note"));

        Socket ann = client(Map.of("token", Tokens.hs256("ann", Duration.ofMinutes(5))));
        CompletableFuture<Object> annGot = new CompletableFuture<>();
        ann.on("secret", args -> {
            annGot.complete(args[0]);
            ((io.socket.client.Ack) args[args.length - 1]).call("ok");
        });
        assertThat(connect(ann)).isInstanceOf(String.class);
        assertThat(annGot.get(20, TimeUnit.SECONDS)).isEqualTo("for ann");
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> get("/api/inbox?user=ann").body().contains("\"depth\":0"));
        assertThat(bobGot).doesNotContain("secret");
    }

    @Test
    void aTokenThatExpiresWhileConnectedIsNoticedRefreshedOrEndsTheSocket() throws Exception {
        // Expires in 4 s: the notice comes 2 s before exp, the disconnect 2 s after it.
        Socket refresher = client(Map.of("token", Tokens.hs256("ann", Duration.ofSeconds(4))));
        Socket idle = client(Map.of("token", Tokens.hs256("ann", Duration.ofSeconds(4))));
        List<Object> refresherNotices = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<JSONObject> refreshAck = new CompletableFuture<>();
        refresher.on(SocketAuthenticator.TOKEN_EXPIRING, args -> {
            refresherNotices.add(args[0]);
            if (refresherNotices.size() == 1) {
                // A token for someone else is refused; the fresh one for ann is taken.
                refresher.emit(SocketAuthenticator.REFRESH, new Object[] {Tokens.hs256("bob", Duration.ofMinutes(5))},
                        ackArgs -> {
                            if (!((JSONObject) ackArgs[0]).has("error")) {
                                refreshAck.completeExceptionally(new AssertionError("bob's token accepted for ann"));
                            }
                            refresher.emit(SocketAuthenticator.REFRESH, new Object[] {Tokens.hs256("ann", Duration.ofSeconds(8))},
                                    a -> refreshAck.complete((JSONObject) a[0]));
                        });
            }
        });
        CompletableFuture<Object> idleNotice = new CompletableFuture<>();
        CompletableFuture<String> idleGone = new CompletableFuture<>();
        CompletableFuture<String> refresherGone = new CompletableFuture<>();
        idle.on(SocketAuthenticator.TOKEN_EXPIRING, a -> idleNotice.complete(a[0]));
        idle.on(Socket.EVENT_DISCONNECT, a -> idleGone.complete(String.valueOf(a[0])));
        refresher.on(Socket.EVENT_DISCONNECT, a -> refresherGone.complete(String.valueOf(a[0])));
        assertThat(connect(refresher)).isInstanceOf(String.class);
        assertThat(connect(idle)).isInstanceOf(String.class);

        assertThat(((JSONObject) idleNotice.get(20, TimeUnit.SECONDS)).has("disconnectAt")).isTrue();
        assertThat(idleGone.get(20, TimeUnit.SECONDS)).isEqualTo("io server disconnect");
        JSONObject ack = refreshAck.get(20, TimeUnit.SECONDS);
        assertThat(ack.getBoolean("ok")).isTrue();
        // The refreshed token's own notice comes after the first token's disconnect time had passed:
        // the refresher was still connected then.
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> refresherNotices.size() == 2);
        assertThat(refresherGone).isNotDone();
        assertThat(refresher.connected()).isTrue();
        assertThat(metric("switchboard_auth_expired_disconnects_total", "")).isEqualTo(1.0);
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + path))
                .header("authorization", "Bearer " + API_TOKEN).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + path))
                .header("authorization", "Bearer " + API_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The value of the first sample of {@code name} whose labels contain {@code labels}. */
    private double metric(String name, String labels) throws Exception {
        String text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return text.lines().filter(l -> l.startsWith(name + "{") && l.contains(labels))
                .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .findFirst().orElseThrow(() -> new AssertionError("no sample " + name + " with " + labels));
    }
}
