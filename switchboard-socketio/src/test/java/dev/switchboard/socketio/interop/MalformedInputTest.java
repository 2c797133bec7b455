package dev.switchboard.socketio.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.engineio.EngineIoConfig;
import dev.switchboard.socketio.SocketIoConfig;
import dev.switchboard.socketio.SocketIoServer;
import dev.switchboard.socketio.echo.SocketIoEcho;
import dev.switchboard.testkit.LeakDetectorExtension;
import dev.switchboard.transport.TransportConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hand-written frames (the JDK's WebSocket and HTTP clients) breaking the Socket.IO protocol: each
 * closes only the offending connection, and a well-behaved client on the same server keeps working.
 */
@ExtendWith(LeakDetectorExtension.class)
class MalformedInputTest {

    private static SocketIoServer io;
    private static int port;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        io = SocketIoEcho.install(SocketIoServer.create(SocketIoConfig.builder()
                .engine(EngineIoConfig.builder().path(SocketIoConfig.DEFAULT_PATH).build())
                .transport(TransportConfig.builder().host("127.0.0.1").port(0).build())
                .connectTimeout(Duration.ofMillis(2000))
                .build()));
        port = io.start().toCompletableFuture().get(10, TimeUnit.SECONDS).getPort();
    }

    @AfterAll
    static void stop() {
        io.close().toCompletableFuture().join();
    }

    private static void assertHealthy(RawWebSocket healthy, String marker) throws InterruptedException {
        healthy.send("42[\"message\",\"" + marker + "\"]");
        assertThat(healthy.next()).isEqualTo("42[\"message-back\",\"" + marker + "\"]");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "49[\"x\"]",                    // unknown type
        "4x",                           // not a type at all
        "42[\"message\"",               // bad JSON
        "42[\"message\"]trailing",      // bad JSON
        "42{\"message\":1}",            // EVENT payload not an array
        "42\"message\"",                // EVENT payload not an array
        "42[\"disconnect\"]",           // reserved event name
        "4299999999999999999[\"message\"]", // bad ack id
        "451-[\"message\",{\"_placeholder\":true,\"num\":5}]" // placeholder without attachment... followed by text
    })
    void malformedPacketClosesOnlyThatConnection(String bad) throws Exception {
        RawWebSocket healthy = RawWebSocket.open(port);
        healthy.connect();
        RawWebSocket offender = RawWebSocket.open(port);
        offender.connect();
        offender.send(bad);
        if (bad.startsWith("451-")) {
            offender.send("42[\"message\",\"text while attachments are awaited\"]");
        }
        assertThat(offender.closedWithin(15000)).as("offender closed after %s", bad).isTrue();
        assertHealthy(healthy, "after-" + Integer.toHexString(bad.hashCode()));
        healthy.ws.abort();
    }

    @Test
    void firstPacketNotConnectClosesTheConnection() throws Exception {
        RawWebSocket healthy = RawWebSocket.open(port);
        healthy.connect();
        RawWebSocket offender = RawWebSocket.open(port);
        offender.send("42[\"message\",1]");
        assertThat(offender.closedWithin(15000)).isTrue();
        assertHealthy(healthy, "first");
        healthy.ws.abort();
    }

    @Test
    void noConnectWithinConnectTimeoutClosesTheConnection() throws Exception {
        RawWebSocket healthy = RawWebSocket.open(port);
        healthy.connect();
        RawWebSocket idle = RawWebSocket.open(port);
        assertThat(idle.closedWithin(200)).as("still open before connectTimeout").isFalse();
        assertThat(idle.closedWithin(15000)).as("closed after connectTimeout (2 s)").isTrue();
        assertHealthy(healthy, "timeout");
        healthy.ws.abort();
    }

    @Test
    void malformedPacketOverPollingClosesTheSession() throws Exception {
        RawWebSocket healthy = RawWebSocket.open(port);
        healthy.connect();
        String base = "http://127.0.0.1:" + port + "/socket.io/?EIO=4&transport=polling";
        String open = get(base).body();
        assertThat(open).startsWith("0{\"sid\":\"");
        String sid = open.substring(9, open.indexOf('"', 9));
        String session = base + "&sid=" + sid;
        assertThat(post(session, "40").body()).isEqualTo("ok");
        assertThat(get(session).body()).startsWith("40{\"sid\":");
        assertThat(post(session, "42{\"not\":\"an array\"}").statusCode()).isEqualTo(200);
        HttpResponse<String> after = get(session);
        // Closed: either the close packet on the next GET, or 400 once the session is gone.
        assertThat(after.statusCode() == 400 || after.body().equals("1"))
                .as("session closed, got %d %s", after.statusCode(), after.body()).isTrue();
        assertHealthy(healthy, "polling");
        healthy.ws.abort();
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String url, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
                .header("Content-Type", "text/plain;charset=UTF-8")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
