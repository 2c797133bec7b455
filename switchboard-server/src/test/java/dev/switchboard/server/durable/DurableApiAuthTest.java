package dev.switchboard.server.durable;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.server.SwitchboardServer;
import dev.switchboard.server.config.ConfigLoader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /api/history and /api/inbox ask for the same bearer token as the rest of the HTTP API. */
class DurableApiAuthTest {

    @TempDir
    Path dir;

    @Test
    void historyAndInboxNeedTheApiToken() throws Exception {
        Path conf = dir.resolve("s.conf");
        Files.writeString(conf, """
                switchboard {
                  data-dir = "%s"
                  http.port = 0
                  demo.enabled = false
                  api.token = "s3cret"
                  durable.rooms = [ { room = "orders-*" } ]
                }
                """.formatted(dir.resolve("data").toString().replace("\\", "/")));
        SwitchboardServer server = SwitchboardServer.start(new ConfigLoader().load(Optional.of(conf), Map.of(), Map.of()));
        try {
            String base = "http://127.0.0.1:" + server.address().getPort();
            HttpClient http = HttpClient.newHttpClient();
            HttpRequest.Builder history = HttpRequest.newBuilder(URI.create(base + "/api/history?room=orders-1"));
            HttpRequest.Builder inbox = HttpRequest.newBuilder(URI.create(base + "/api/inbox"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"user\":\"u\",\"event\":\"e\",\"data\":1}"));
            assertThat(http.send(history.copy().build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
            assertThat(http.send(inbox.copy().build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
            assertThat(http.send(history.copy().header("authorization", "Bearer wrong").build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
            assertThat(http.send(history.copy().header("authorization", "Bearer s3cret").build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            assertThat(http.send(inbox.copy().header("authorization", "Bearer s3cret").build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(201);
        } finally {
            server.stop();
        }
    }
}
