package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.testkit.NodePeers;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo page at / in headless Chromium (src/test/js/demo.e2e.test.mjs) against the packaged server;
 * leaves a screenshot at target/demo.png.
 */
class DemoBrowserIT {

    @TempDir
    Path dir;

    @Test
    void twoPeopleChatInTheDemo() throws Exception {
        Path screenshot = Path.of("target/demo.png").toAbsolutePath();
        Files.deleteIfExists(screenshot);
        try (LaunchedServer server = LaunchedServer.start(dir, Map.of(),
                "--port", "0", "--data", dir.resolve("data").toString())) {
            String base = server.awaitListening(LaunchedServer.STARTUP);
            server.awaitReady(base, HttpClient.newHttpClient());
            NodePeers.test(Path.of("src/test/js/demo.e2e.test.mjs"),
                    Map.of("SERVER_URL", base, "SCREENSHOT", screenshot.toString()),
                    Duration.ofSeconds(120), NodePeers.Expected.passed(1)).assertSucceeded();
            server.sigterm();
            assertThat(server.awaitExit(Duration.ofSeconds(30))).as(server.transcript()).isZero();
        }
        assertThat(screenshot).exists();
        assertThat(Files.size(screenshot)).isGreaterThan(10_000);
    }
}
