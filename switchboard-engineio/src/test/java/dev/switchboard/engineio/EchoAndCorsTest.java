package dev.switchboard.engineio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.engineio.echo.EngineEcho;
import dev.switchboard.testkit.LeakDetectorExtension;
import dev.switchboard.testkit.NodePeers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The echo program as the launcher starts it, with CORS on, and the official client against it. */
@ExtendWith(LeakDetectorExtension.class)
class EchoAndCorsTest {

    private final HttpClient client = HttpClient.newHttpClient();

    @Test
    void echoProgramParsesItsOptionsAndAnswersWithCors() throws Exception {
        EngineEcho.Running echo = EngineEcho.start("--engine-only", "--host", "127.0.0.1", "--port", "0",
                "--path", "/eio", "--ping-interval", "700", "--ping-timeout", "600", "--max-payload", "5000",
                "--cors", "https://app.example", "--io-threads", "1");
        try {
            String base = "http://127.0.0.1:" + echo.address().getPort() + "/eio/";
            HttpResponse<String> open = client.send(HttpRequest.newBuilder(URI.create(base + "?EIO=4&transport=polling"))
                    .header("Origin", "https://app.example").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(open.body()).contains("\"pingInterval\":700,\"pingTimeout\":600,\"maxPayload\":5000");
            assertThat(open.headers().firstValue("access-control-allow-origin")).hasValue("https://app.example");

            HttpResponse<String> preflight = client.send(HttpRequest.newBuilder(URI.create(base + "?EIO=4&transport=polling"))
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                    .header("Origin", "https://app.example")
                    .header("Access-Control-Request-Method", "POST")
                    .header("Access-Control-Request-Headers", "content-type").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(preflight.statusCode()).isEqualTo(200);
            assertThat(preflight.headers().firstValue("access-control-allow-origin")).hasValue("https://app.example");
            assertThat(preflight.headers().firstValue("access-control-allow-methods").orElse("")).contains("POST");

            NodePeers.test(Path.of("src/test/js/echo.test.cjs"), Map.of(
                    "EIO_URL", "http://127.0.0.1:" + echo.address().getPort(), "EIO_PATH", "/eio/"),
                    Duration.ofMinutes(1), NodePeers.Expected.passed(3)).assertSucceeded(); // one per transport choice
        } finally {
            echo.close().toCompletableFuture().orTimeout(20, TimeUnit.SECONDS).join();
        }
        assertThat(echo.engine().sessionCount()).isZero();
    }

    @Test
    void echoProgramRefusesBadOptions() {
        assertThatThrownBy(() -> EngineEcho.start("--port")).hasMessageContaining("missing value for --port");
        assertThatThrownBy(() -> EngineEcho.start("--port", "x")).hasMessageContaining("--port needs a whole number");
        assertThatThrownBy(() -> EngineEcho.start("--bogus", "1")).hasMessageContaining("unknown option --bogus");
        assertThatThrownBy(() -> EngineEcho.start("--ping-interval", "0")).hasMessageContaining("pingInterval must be > 0");
    }
}
