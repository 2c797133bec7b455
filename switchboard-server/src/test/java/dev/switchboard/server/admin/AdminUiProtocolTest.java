package dev.switchboard.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.server.SwitchboardServer;
import dev.switchboard.server.config.ConfigLoader;
import dev.switchboard.testkit.LeakDetectorExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin UI's own protocol against a running server: a Node client speaking {@code /admin} as the
 * UI of {@code @socket.io/admin-ui} 0.5.1 does (src/test/js/admin-client.mjs), and ordinary clients (the
 * official socket.io-client) whose sockets, rooms and events it watches and acts on.
 */
@ExtendWith(LeakDetectorExtension.class)
class AdminUiProtocolTest {

    /** bcrypt (cost 10) of "s3cret-pass", made with the bcryptjs package the npm admin UI uses. */
    static final String HASH = "$2a$10$hvA7dhW2/aFv6HrW9fijL.CQ9HlaW1iAq34uO4s5oRHSmuCrD0NnK";
    static final String PASSWORD_AUTH = "{\"username\":\"admin\",\"password\":\"s3cret-pass\"}";

    @TempDir
    Path dir;

    private SwitchboardServer server;
    private final List<ScriptPeer> peers = new ArrayList<>();

    @AfterEach
    void stop() {
        peers.forEach(ScriptPeer::close);
        if (server != null) {
            server.stop();
        }
    }

    private String start(String adminUi) throws Exception {
        Path conf = dir.resolve("switchboard.conf");
        Files.writeString(conf, """
                switchboard {
                  data-dir = "%s"
                  http.port = 0
                  demo.enabled = false
                  admin-ui { %s }
                }
                """.formatted(dir.resolve("data").toString().replace("\\", "/"), adminUi));
        server = SwitchboardServer.start(new ConfigLoader().load(Optional.of(conf), Map.of(), Map.of()));
        return "http://127.0.0.1:" + server.address().getPort();
    }

    private ScriptPeer admin(String base, String auth) {
        ScriptPeer p = new ScriptPeer("admin-client.mjs", Map.of("SERVER_URL", base, "ADMIN_AUTH", auth));
        peers.add(p);
        return p;
    }

    private ScriptPeer client(String base, String user) {
        ScriptPeer p = new ScriptPeer("api-client.mjs", Map.of("SERVER_URL", base, "NAMESPACE", "/", "USER_NAME", user));
        peers.add(p);
        return p;
    }

    private static boolean arg(JsonNode args, int i, String value) {
        return args.path(i).asText().equals(value);
    }

    @Test
    void theUiLogsInWatchesSocketsAndRoomsAndActsOnThem() throws Exception {
        String base = start("""
                enabled = true, username = "admin", password-hash = "%s", mode = development""".formatted(HASH));

        ScriptPeer intruder = admin(base, "{\"username\":\"admin\",\"password\":\"wrong\"}");
        assertThat(intruder.awaitConnectError()).isEqualTo("invalid credentials");

        ScriptPeer ui = admin(base, PASSWORD_AUTH);
        ui.awaitConnected();
        // First what the UI needs to start: its session, the features, every socket, the statistics.
        String session = ui.awaitEvent("session", a -> true).path("args").path(0).asText();
        assertThat(session).matches("[0-9a-f]{32}");
        JsonNode config = ui.awaitEvent("config", a -> true).path("args").path(0);
        assertThat(config.path("supportedFeatures").toString()).isEqualTo(
                "[\"EMIT\",\"JOIN\",\"LEAVE\",\"DISCONNECT\",\"MJOIN\",\"MLEAVE\",\"MDISCONNECT\",\"AGGREGATED_EVENTS\",\"ALL_EVENTS\"]");
        assertThat(ui.awaitEvent("all_sockets", a -> true).path("args").path(0).isArray()).isTrue();
        JsonNode stats = ui.awaitEvent("server_stats", a -> true).path("args").path(0);
        assertThat(stats.path("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
        assertThat(stats.path("namespaces").findValuesAsText("name")).contains("/", "/admin");

        ScriptPeer alice = client(base, "alice");
        ScriptPeer bob = client(base, "bob");
        String aliceId = alice.awaitConnected();
        String bobId = bob.awaitConnected();
        JsonNode aliceSeen = ui.awaitEvent("socket_connected", a -> a.path(0).path("id").asText().equals(aliceId))
                .path("args").path(0);
        assertThat(aliceSeen.path("nsp").asText()).isEqualTo("/");
        assertThat(aliceSeen.at("/handshake/query/user").asText()).isEqualTo("alice");
        assertThat(aliceSeen.path("rooms").toString()).isEqualTo("[\"" + aliceId + "\"]");
        ui.awaitEvent("socket_connected", a -> a.path(0).path("id").asText().equals(bobId));

        // The UI's "join" button: alice joins "news"; the UI is told, and the room is real.
        ui.command("emit", "join", "/", "news", aliceId);
        ui.awaitEvent("room_joined", a -> arg(a, 0, "/") && arg(a, 1, "news") && arg(a, 2, aliceId));
        HttpResponse<String> rooms = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(base + "/api/rooms")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(rooms.body()).contains("\"name\":\"news\"");

        // "emit" to the room: alice gets it, the UI sees it sent.
        ui.command("emit", "emit", "/", "news", "headline", Map.of("title", "from the admin UI"));
        assertThat(alice.awaitEvent("headline", a -> true).path("args").path(0).path("title").asText())
                .isEqualTo("from the admin UI");
        ui.awaitEvent("event_sent", a -> arg(a, 0, "/") && arg(a, 1, aliceId) && a.path(2).path(0).asText().equals("headline"));

        // "leave": the UI is told.
        ui.command("emit", "leave", "/", "news", aliceId);
        ui.awaitEvent("room_left", a -> arg(a, 0, "/") && arg(a, 1, "news") && arg(a, 2, aliceId));

        // "_disconnect" bob: he is told as by socket.disconnect(), the UI sees him go.
        ui.command("emit", "_disconnect", "/", false, bobId);
        assertThat(bob.awaitDisconnect()).isEqualTo("io server disconnect");
        ui.awaitEvent("socket_disconnected", a -> arg(a, 0, "/") && arg(a, 1, bobId));

        // Statistics move: the later snapshots count the packets of what happened above.
        ui.awaitEvent("server_stats", a -> a.path(0).path("aggregatedEvents").findValuesAsText("type").contains("packetsOut"));

        // The session lets the UI come back without the password.
        ScriptPeer again = admin(base, "{\"sessionId\":\"" + session + "\"}");
        again.awaitConnected();
        again.awaitEvent("config", a -> true);
        assertThat(again.lines()).noneMatch(l -> l.path("event").asText().equals("session"));
        ScriptPeer stale = admin(base, "{\"sessionId\":\"0123456789abcdef0123456789abcdef\"}");
        assertThat(stale.awaitConnectError()).isEqualTo("invalid credentials");
    }

    @Test
    void readOnlyProductionModeSendsStatisticsOnlyAndOffersNoActions() throws Exception {
        String base = start("""
                enabled = true, password-hash = "%s", read-only = true, mode = production""".formatted(HASH));
        ScriptPeer alice = client(base, "alice");
        alice.awaitConnected();

        ScriptPeer ui = admin(base, PASSWORD_AUTH);
        ui.awaitConnected();
        JsonNode config = ui.awaitEvent("config", a -> true).path("args").path(0);
        assertThat(config.path("supportedFeatures").toString()).isEqualTo("[\"AGGREGATED_EVENTS\"]");
        JsonNode stats = ui.awaitEvent("server_stats", a -> true).path("args").path(0);
        assertThat(stats.path("clientsCount").asInt()).isEqualTo(2);
        // On connection the server sends config, all_sockets (development only), then server_stats, in
        // that order on one socket: none came before the statistics, so none is sent.
        assertThat(ui.lines()).noneMatch(l -> l.path("event").asText().equals("all_sockets"));
        assertThat(ui.lines()).noneMatch(l -> l.path("event").asText().equals("socket_connected"));
    }

    @Test
    void theUiIsServedAtAdmin() throws Exception {
        String base = start("enabled = true, auth = none");
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> index = http.send(HttpRequest.newBuilder(URI.create(base + "/admin/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(index.statusCode()).isEqualTo(200);
        assertThat(index.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
        assertThat(index.body()).contains("<title>Socket.IO Admin UI</title>");
        String script = index.body().replaceAll("(?s).*<script src=\"(js/app[^\"]+)\".*", "$1");
        HttpResponse<String> app = http.send(HttpRequest.newBuilder(URI.create(base + "/admin/" + script)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(app.statusCode()).isEqualTo(200);
        assertThat(app.headers().firstValue("content-type")).hasValue("text/javascript; charset=utf-8");
        HttpResponse<String> bare = http.send(HttpRequest.newBuilder(URI.create(base + "/admin")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(bare.statusCode()).isEqualTo(301);
        assertThat(bare.headers().firstValue("location")).hasValue("/admin/");
        for (String bad : List.of("/admin/../switchboard-reference.conf", "/admin/%2e%2e/logback.xml", "/admin/nope.js")) {
            assertThat(http.send(HttpRequest.newBuilder(URI.create(base + bad)).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).as(bad).isEqualTo(404);
        }

        // auth = none: the UI gets in without credentials, and no session is issued.
        ScriptPeer ui = admin(base, "{}");
        ui.awaitConnected();
        ui.awaitEvent("config", a -> true);
        assertThat(ui.lines()).noneMatch(l -> l.path("event").asText().equals("session"));
    }
}
