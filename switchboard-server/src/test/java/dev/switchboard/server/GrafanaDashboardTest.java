package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.server.config.ConfigLoader;
import dev.switchboard.testkit.LeakDetectorExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Grafana dashboard (docs/grafana/switchboard.json) queries only metrics a running server exposes:
 * after a client connected, was published to with acknowledgements and disconnected, and a handshake
 * was refused, every metric name in the dashboard's queries appears in /metrics.
 */
@ExtendWith(LeakDetectorExtension.class)
class GrafanaDashboardTest {

    private static final Path DASHBOARD = Path.of("../docs/grafana/switchboard.json");
    /** A Prometheus metric name of this server, the JVM or Netty, in a PromQL expression. */
    private static final Pattern METRIC = Pattern.compile("\\b(?:switchboard|jvm|process|netty)_[a-z0-9_]+\\b");

    @TempDir
    Path dir;

    @Test
    void everyMetricTheDashboardQueriesIsExposed() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(Files.readString(DASHBOARD));
        Set<String> queried = new TreeSet<>();
        for (JsonNode expr : dashboard.findValues("expr")) {
            collect(expr.asText(), queried);
        }
        for (JsonNode definition : dashboard.at("/templating/list").findValues("definition")) {
            collect(definition.asText(), queried);
        }
        assertThat(queried).hasSizeGreaterThan(25);
        assertThat(dashboard.findValues("expr")).hasSizeGreaterThan(20);

        Path conf = dir.resolve("switchboard.conf");
        Files.writeString(conf, """
                switchboard {
                  data-dir = "%s"
                  http.port = 0
                  admin-ui { enabled = true, auth = none }
                }
                """.formatted(dir.resolve("data").toString().replace("\\", "/")));
        SwitchboardServer server = SwitchboardServer.start(new ConfigLoader().load(Optional.of(conf), Map.of(), Map.of()));
        String base = "http://127.0.0.1:" + server.address().getPort();
        HttpClient http = HttpClient.newHttpClient();
        try (NodeClient client = new NodeClient(base, "/", "grafana");
             NodeClient refused = new NodeClient(base, "/nowhere", "lost")) {
            client.awaitConnected();
            refused.await("connect_error", e -> e.path("type").asText().equals("connect_error"));
            post(http, base, "/api/publish", "{\"event\":\"ask\",\"data\":1,\"ackTimeout\":5000}");
            post(http, base, "/api/disconnect", "{\"socket\":\"" + client.awaitConnected() + "\"}");
            client.awaitDisconnect();

            // GC pause timers exist from the first collection on (Micrometer registers them when the JVM
            // reports one); this JVM serves the server, so a collection here is the server's.
            System.gc();
            Set<String> exposed = new TreeSet<>();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(15)).untilAsserted(() -> {
                exposed.clear();
                exposed.addAll(exposed(http, base));
                assertThat(exposed).as("metrics in /metrics").containsAll(queried);
            });
        } finally {
            server.stop();
        }
    }

    private static Set<String> exposed(HttpClient http, String base) throws Exception {
        String exposition = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Set<String> names = new TreeSet<>();
        for (String line : exposition.split("\n")) {
            if (!line.startsWith("#") && !line.isBlank()) {
                names.add(line.split("[{ ]", 2)[0]);
            }
        }
        return names;
    }

    private static void collect(String promql, Set<String> into) {
        Matcher m = METRIC.matcher(promql);
        while (m.find()) {
            into.add(m.group());
        }
    }

    private static void post(HttpClient http, String base, String path, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path + " -> " + r.body()).isEqualTo(200);
    }
}
