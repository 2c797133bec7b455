package dev.switchboard.engineio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.testkit.LeakDetectorExtension;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Transport shutdown closes Engine.IO sessions with the protocol's own close before dropping connections. */
@ExtendWith(LeakDetectorExtension.class)
class ShutdownTest {

    @Test
    void shutdownSendsTheCloseToAWaitingGetAndClosesWebSockets() throws Exception {
        EngineFixture f = new EngineFixture(EngineIoConfig.defaults());
        HttpClient client = HttpClient.newHttpClient();
        String base = f.url() + "/engine.io/?EIO=4&transport=";
        String open = client.send(HttpRequest.newBuilder(URI.create(base + "polling")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        String sid = open.substring(9, 29);

        CompletableFuture<Integer> wsClosed = new CompletableFuture<>();
        WebSocket ws = client.newWebSocketBuilder().buildAsync(URI.create(base.replace("http", "ws") + "websocket"),
                new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                        wsClosed.complete(statusCode);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> f.engine.sessionCount() == 2);

        try (Socket s = new Socket("127.0.0.1", f.address.getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("GET /engine.io/?EIO=4&transport=polling&sid=" + sid
                    + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            // the GET is now waiting; shut the transport down
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> f.engine.session(sid).isWritable());
            f.close();
            String response = new String(readAll(s.getInputStream()), StandardCharsets.US_ASCII);
            assertThat(response).startsWith("HTTP/1.1 200").endsWith("\r\n\r\n1");
        }
        assertThat(wsClosed.get(10, TimeUnit.SECONDS)).isNotNull();
        assertThat(f.engine.sessionCount()).isZero();
        assertThat(ws.isInputClosed()).isTrue();
    }

    private static byte[] readAll(InputStream in) throws java.io.IOException {
        return in.readAllBytes(); // the server closes the connection after the close packet
    }
}
