package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bin/switchboard echo} delegates to the protocol echo servers and keeps them running. */
class EchoCommandIT {

    private static final Pattern PORT = Pattern.compile("listening on \\S*:(\\d+)/");

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    private int awaitPort(LaunchedServer echo) {
        int[] port = new int[1];
        await().alias("echo listening").atMost(LaunchedServer.STARTUP).until(() -> {
            Optional<Matcher> m = echo.out().stream().map(PORT::matcher).filter(Matcher::find).findFirst();
            m.ifPresent(x -> port[0] = Integer.parseInt(x.group(1)));
            if (!echo.process.isAlive()) {
                throw new AssertionError("echo exited " + echo.process.exitValue() + "\n" + echo.transcript());
            }
            return m.isPresent();
        });
        return port[0];
    }

    private String handshake(int port, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + path + "?EIO=4&transport=polling")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    /**
     * The echo servers close from a JVM shutdown hook, so SIGTERM ends the process with the JVM's own
     * status for it, 128 + 15, after a clean close: no stack trace.
     */
    private static void assertStoppedBySigterm(LaunchedServer echo) throws InterruptedException {
        assertThat(echo.awaitExit(Duration.ofSeconds(30))).as(echo.transcript()).isEqualTo(143);
        assertThat(echo.transcript()).doesNotContain("\tat ", "Exception in thread");
    }

    @Test
    void engineOnlyEchoRunsWithTheGivenOptions() throws Exception {
        try (LaunchedServer echo = LaunchedServer.start(dir, Map.of(), "echo", "--engine-only", "--host", "127.0.0.1",
                "--port", "0", "--path", "/engine.io/", "--ping-interval", "300", "--ping-timeout", "200",
                "--max-payload", "1000000", "--cors", "*")) {
            int port = awaitPort(echo);
            String open = handshake(port, "/engine.io/");
            assertThat(open).startsWith("0{\"sid\":").contains("\"pingInterval\":300", "\"pingTimeout\":200",
                    "\"maxPayload\":1000000");
            assertThat(echo.process.isAlive()).isTrue();
            echo.sigterm();
            assertStoppedBySigterm(echo);
        }
    }

    @Test
    void socketIoEchoRunsWithTheGivenOptions() throws Exception {
        try (LaunchedServer echo = LaunchedServer.start(dir, Map.of(), "echo", "--host", "127.0.0.1", "--port", "0",
                "--connect-timeout", "1000", "--recovery", "120000")) {
            int port = awaitPort(echo);
            assertThat(handshake(port, "/socket.io/")).startsWith("0{\"sid\":");
            echo.sigterm();
            assertStoppedBySigterm(echo);
        }
    }
}
