package dev.switchboard.socketio.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A volatile broadcast is dropped for a client that cannot take it now, and only then: a polling client
 * that stops fetching accumulates packets (for polling, "writable" means a GET is waiting, as in
 * engine.io); a volatile packet broadcast meanwhile never reaches it, while the non-volatile ones
 * before and after do; once it polls again it receives volatile packets.
 */
@ExtendWith(LeakDetectorExtension.class)
class VolatileTest {

    private static SocketIoServer io;
    private static String base;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        io = SocketIoEcho.install(SocketIoServer.create(SocketIoConfig.builder()
                .engine(EngineIoConfig.builder().path(SocketIoConfig.DEFAULT_PATH).build())
                .transport(TransportConfig.builder().host("127.0.0.1").port(0).writeBufferWaterMarks(8 * 1024, 16 * 1024).build())
                .build()));
        int port = io.start().toCompletableFuture().get(10, TimeUnit.SECONDS).getPort();
        base = "http://127.0.0.1:" + port + "/socket.io/?EIO=4&transport=polling";
    }

    @AfterAll
    static void stop() {
        io.close().toCompletableFuture().join();
    }

    /** A raw polling session connected to {@code /}, with everything received so far drained. */
    private static String connectedSession() throws Exception {
        String open = get(base);
        String sid = open.substring(9, open.indexOf('"', 9));
        String session = base + "&sid=" + sid;
        post(session, "40");
        List<String> got = new ArrayList<>();
        while (got.stream().noneMatch(p -> p.startsWith("42[\"auth\""))) {
            got.addAll(Arrays.asList(get(session).split("\u001e")));
        }
        return session;
    }

    @Test
    void volatilePacketIsDroppedOnlyForTheClientWhoseBufferIsFull() throws Exception {
        String stalled = connectedSession();
        String big = "x".repeat(10_000);
        for (int i = 0; i < 4; i++) {
            io.emit("big", i, big);
        }
        io.sockets().asVolatile().emit("vol", 1);
        io.emit("marker", 2);

        List<String> packets = new ArrayList<>();
        while (packets.stream().noneMatch(p -> p.startsWith("42[\"marker\""))) {
            packets.addAll(Arrays.asList(get(stalled).split("\u001e")));
        }
        assertThat(packets.stream().filter(p -> p.startsWith("42[\"big\"")).count()).isEqualTo(4);
        assertThat(packets).noneMatch(p -> p.startsWith("42[\"vol\""));

        // Once it polls again (a GET waiting: what "writable" means for polling, as in engine.io), the same
        // client receives volatile packets again.
        CompletableFuture<HttpResponse<String>> poll = HTTP.sendAsync(
                HttpRequest.newBuilder(URI.create(stalled)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50)).until(() -> {
            io.sockets().asVolatile().emit("vol", 3);
            return poll.isDone();
        });
        assertThat(poll.get().body()).startsWith("42[\"vol\",3]");
    }

    private static String get(String url) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET %s: %s", url, r.body()).isEqualTo(200);
        return r.body();
    }

    private static void post(String url, String body) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.body()).isEqualTo("ok");
    }
}
