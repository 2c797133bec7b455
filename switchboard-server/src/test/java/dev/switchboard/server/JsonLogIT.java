package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code switchboard.log.format = json} (here through the environment, as a service unit would set it):
 * standard output is one JSON object per line, from the first log line to the last, the start banner
 * included; each has the level, logger and message a log collector indexes.
 */
class JsonLogIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LISTENING = Pattern.compile("listening on (https?)://([^ ]+):(\\d+) ");

    @TempDir
    Path dir;

    @Test
    void everyLineOfStandardOutputIsAJsonObject() throws Exception {
        try (LaunchedServer server = LaunchedServer.start(dir, Map.of("SWITCHBOARD_LOG_FORMAT", "json"),
                "--port", "0", "--data", dir.resolve("data").toString())) {
            String base = awaitListening(server);
            server.awaitReady(base, HttpClient.newHttpClient());
            try (NodeClient client = new NodeClient(base, "/", "json")) {
                client.awaitConnected();
            }
            server.sigterm();
            assertThat(server.awaitExit(Duration.ofSeconds(30))).as(server.transcript()).isZero();

            List<JsonNode> events = new ArrayList<>();
            for (String line : server.out()) {
                events.add(JSON.readTree(line));
            }
            assertThat(events).isNotEmpty().allSatisfy(e -> {
                assertThat(e.path("level").asText()).isIn("TRACE", "DEBUG", "INFO", "WARN", "ERROR");
                assertThat(e.path("loggerName").asText()).isNotEmpty();
                assertThat(e.path("timestamp").asLong()).isPositive();
                assertThat(e.path("formattedMessage").isTextual()).isTrue();
            });
            assertThat(events).anyMatch(e -> e.path("formattedMessage").asText().startsWith("Switchboard is ready."));
            assertThat(events).anyMatch(e -> e.path("formattedMessage").asText().startsWith("stopped in"));
            assertThat(server.err()).isEmpty();
        }
    }

    /** The "listening on" line, inside a JSON log event. */
    private static String awaitListening(LaunchedServer server) {
        String[] base = new String[1];
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> {
            for (String line : server.out()) {
                // JSON escapes '/' as "\/".
                Matcher m = LISTENING.matcher(line.replace("\\/", "/"));
                if (m.find()) {
                    base[0] = m.group(1) + "://" + m.group(2) + ":" + m.group(3);
                    return true;
                }
            }
            if (!server.process.isAlive()) {
                throw new AssertionError("server exited before listening\n" + server.transcript());
            }
            return false;
        });
        return base[0];
    }
}
