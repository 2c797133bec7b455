package dev.switchboard.socketio.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.routing.Routers;
import dev.switchboard.engineio.EngineIoConfig;
import dev.switchboard.socketio.Socket;
import dev.switchboard.socketio.SocketIoConfig;
import dev.switchboard.socketio.SocketIoServer;
import dev.switchboard.testkit.LeakDetectorExtension;
import dev.switchboard.testkit.NodePeers;
import dev.switchboard.transport.TransportConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Compression as users turn it on: permessage-deflate for WebSocket (off by default, on here with
 * socket.io's threshold of 1024 B, the {@code compress} flag honoured) and gzip/deflate of long-polling
 * answers (on by default above 1024 B). The official socket.io-client 4.8 runs
 * {@code src/test/js/compression.test.cjs}, which sees the extension negotiated and counts the bytes on
 * its socket; a raw polling client checks the {@code Content-Encoding} of an answer and its bytes.
 */
@ExtendWith(LeakDetectorExtension.class)
class CompressionTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Pattern SID = Pattern.compile("\"sid\":\"([^\"]+)\"");

    private SocketIoServer sio;

    private String start(EngineIoConfig.Builder engine) throws Exception {
        SocketIoConfig config = SocketIoConfig.builder()
                .engine(engine.path(SocketIoConfig.DEFAULT_PATH).build())
                .transport(TransportConfig.builder().host("127.0.0.1").port(0).ioThreads(2).build())
                .build();
        sio = SocketIoServer.create(config, Routers.local());
        sio.on("connection", this::install);
        return "http://127.0.0.1:" + sio.start().toCompletableFuture().get(10, TimeUnit.SECONDS).getPort();
    }

    private void install(Socket socket) {
        socket.on("echo", (args, ack) -> socket.emit("echoed", args.get(0)));
        socket.on("echo-plain", (args, ack) ->
                sio.of("/").to(socket.id()).compress(false).emit("echoed", args.get(0)));
    }

    @AfterEach
    void stop() {
        if (sio != null) {
            sio.close().toCompletableFuture().join();
        }
    }

    @Test
    void theOfficialClientNegotiatesBothAndLargeMessagesTravelCompressed() throws Exception {
        String url = start(EngineIoConfig.builder().perMessageDeflate(true));
        NodePeers.test(Path.of("src/test/js/compression.test.cjs"),
                Map.of("SIO_URL", url, "SIO_TRANSPORT", "websocket"), Duration.ofSeconds(120),
                NodePeers.Expected.passed(5))
                .assertSucceeded();
    }

    @Test
    void permessageDeflateIsOffByDefault() throws Exception {
        String url = start(EngineIoConfig.builder());
        assertThat(upgradeAnswer(url, "permessage-deflate; client_max_window_bits"))
                .startsWith("HTTP/1.1 101").doesNotContainIgnoringCase("sec-websocket-extensions");
    }

    @Test
    void whenOnTheAnswerAddsServerNoContextTakeover() throws Exception {
        String url = start(EngineIoConfig.builder().perMessageDeflate(true));
        assertThat(upgradeAnswer(url, "permessage-deflate; client_max_window_bits"))
                .startsWith("HTTP/1.1 101")
                .containsIgnoringCase("sec-websocket-extensions: permessage-deflate")
                .contains("server_no_context_takeover");
        // an offer Netty cannot serve (a server window size asked for) leaves the WebSocket uncompressed
        assertThat(upgradeAnswer(url, "permessage-deflate; server_max_window_bits=10"))
                .startsWith("HTTP/1.1 101").doesNotContainIgnoringCase("sec-websocket-extensions");
    }

    /** The head of the answer to a WebSocket upgrade offering {@code extensions}, over a plain socket. */
    private static String upgradeAnswer(String url, String extensions) throws IOException {
        URI u = URI.create(url);
        try (java.net.Socket s = new java.net.Socket(u.getHost(), u.getPort())) {
            s.setSoTimeout((int) WAIT.toMillis());
            String req = "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: " + u.getHost() + ":" + u.getPort()
                    + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Extensions: " + extensions + "\r\n\r\n";
            s.getOutputStream().write(req.getBytes(StandardCharsets.US_ASCII));
            StringBuilder head = new StringBuilder();
            var in = s.getInputStream();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                head.append((char) b);
            }
            return head.toString();
        }
    }

    @Test
    void aPollingAnswerOverTheThresholdIsGzippedForAClientThatAcceptsIt() throws Exception {
        String base = start(EngineIoConfig.builder()) + "/socket.io/?EIO=4&transport=polling";
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String open = get(http, base, null).body();
        Matcher m = SID.matcher(open);
        assertThat(m.find()).as("open packet %s", open).isTrue();
        String sid = base + "&sid=" + m.group(1);
        post(http, sid, "40");
        assertThat(get(http, sid, null).body()).startsWith("40{\"sid\":");

        String text = "{\"user\":\"ada\",\"text\":\"hello there\"}".repeat(200);
        post(http, sid, "42[\"echo\"," + HttpResponsesJson.quote(text) + "]");
        HttpResponse<byte[]> big = http.send(request(sid, "gzip, deflate").GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(big.headers().firstValue("content-encoding")).hasValue("gzip");
        assertThat(big.body().length).isLessThan(text.length() / 4);
        String unzipped = new String(new GZIPInputStream(new ByteArrayInputStream(big.body())).readAllBytes(),
                StandardCharsets.UTF_8);
        assertThat(unzipped).isEqualTo("42[\"echoed\"," + HttpResponsesJson.quote(text) + "]");

        // under the threshold: plain, even though the client accepts gzip
        post(http, sid, "42[\"echo\",\"short\"]");
        HttpResponse<String> small = http.send(request(sid, "gzip").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(small.headers().firstValue("content-encoding")).isEmpty();
        assertThat(small.body()).isEqualTo("42[\"echoed\",\"short\"]");
    }

    @Test
    void httpCompressionCanBeTurnedOff() throws Exception {
        String base = start(EngineIoConfig.builder().httpCompression(false)) + "/socket.io/?EIO=4&transport=polling";
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        Matcher m = SID.matcher(get(http, base, null).body());
        assertThat(m.find()).isTrue();
        String sid = base + "&sid=" + m.group(1);
        post(http, sid, "40");
        get(http, sid, null);
        String text = "y".repeat(5000);
        post(http, sid, "42[\"echo\",\"" + text + "\"]");
        HttpResponse<String> r = http.send(request(sid, "gzip").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.headers().firstValue("content-encoding")).isEmpty();
        assertThat(r.body()).isEqualTo("42[\"echoed\",\"" + text + "\"]");
    }

    private static HttpRequest.Builder request(String url, String acceptEncoding) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(WAIT);
        if (acceptEncoding != null) {
            b.header("Accept-Encoding", acceptEncoding);
        }
        return b;
    }

    private static HttpResponse<String> get(HttpClient http, String url, String acceptEncoding)
            throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(request(url, acceptEncoding).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET %s: %s", url, r.body()).isEqualTo(200);
        return r;
    }

    private static void post(HttpClient http, String url, String body) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(request(url, null).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "text/plain;charset=UTF-8").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.body()).isEqualTo("ok");
    }

    /** JSON string quoting for the test's ASCII texts (quotes and backslashes only). */
    private static final class HttpResponsesJson {
        static String quote(String s) {
            return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        }
    }
}
