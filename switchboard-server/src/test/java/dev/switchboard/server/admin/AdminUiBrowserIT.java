package dev.switchboard.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.server.SwitchboardServer;
import dev.switchboard.server.config.ConfigLoader;
import dev.switchboard.testkit.NodePeers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official admin UI's pages in headless Chromium (src/test/js/admin-ui.e2e.test.mjs) against a
 * server with the admin UI on, watching two clients of the official socket.io-client; leaves a
 * screenshot at target/admin-ui.png.
 */
class AdminUiBrowserIT {

    @TempDir
    Path dir;

    @Test
    void anOperatorLogsInSeesSocketsAndRoomsAndDisconnectsOne() throws Exception {
        Path screenshot = Path.of("target/admin-ui.png").toAbsolutePath();
        Files.deleteIfExists(screenshot);
        Path conf = dir.resolve("switchboard.conf");
        Files.writeString(conf, """
                switchboard {
                  data-dir = "%s"
                  http.port = 0
                  admin-ui { enabled = true, username = "admin", password-hash = "%s" }
                }
                """.formatted(dir.resolve("data").toString().replace("\\", "/"), AdminUiProtocolTest.HASH));
        SwitchboardServer server = SwitchboardServer.start(new ConfigLoader().load(Optional.of(conf), Map.of(), Map.of()));
        String base = "http://127.0.0.1:" + server.address().getPort();
        try (ScriptPeer alice = new ScriptPeer("api-client.mjs", Map.of("SERVER_URL", base, "USER_NAME", "alice"));
             ScriptPeer bob = new ScriptPeer("api-client.mjs", Map.of("SERVER_URL", base, "USER_NAME", "bob"))) {
            String aliceId = alice.awaitConnected();
            String bobId = bob.awaitConnected();
            HttpResponse<String> joined = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/api/join"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"sockets\":[\"" + aliceId + "\"],\"rooms\":[\"newsroom\"]}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(joined.statusCode()).as(joined.body()).isEqualTo(200);

            NodePeers.test(Path.of("src/test/js/admin-ui.e2e.test.mjs"),
                    Map.of("SERVER_URL", base, "ALICE", aliceId, "BOB", bobId, "ROOM", "newsroom",
                            "PASSWORD", "s3cret-pass", "SCREENSHOT", screenshot.toString()),
                    Duration.ofSeconds(120), NodePeers.Expected.passed(1)).assertSucceeded();

            assertThat(bob.awaitDisconnect()).isEqualTo("io server disconnect");
            assertThat(alice.lines()).noneMatch(l -> l.path("type").asText().equals("disconnect"));
        } finally {
            server.stop();
        }
        assertThat(screenshot).isNotEmptyFile();
    }
}
