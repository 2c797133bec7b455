package dev.switchboard.server.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.server.SwitchboardServer;
import dev.switchboard.server.config.ConfigLoader;
import io.socket.client.IO;
import io.socket.client.Socket;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The abuse limits against the whole server, with raw sockets for the abuse and official clients for the rest. */
class AbuseLimitsTest {

    @TempDir
    Path dir;
    private SwitchboardServer server;
    private String base;
    private final List<Socket> clients = new ArrayList<>();

    private void start(String extra) throws Exception {
        Path conf = dir.resolve("s.conf");
        Files.writeString(conf, "switchboard {\n data-dir = \"" + dir.resolve("data").toString().replace("\\", "/")
                + "\"\n http.port = 0\n demo.enabled = false\n" + extra + "\n}\n");
        server = SwitchboardServer.start(new ConfigLoader().load(Optional.of(conf), Map.of(), Map.of()));
        base = "http://127.0.0.1:" + server.address().getPort();
    }

    @AfterEach
    void stop() {
        clients.forEach(Socket::close);
        if (server != null) {
            server.stop();
        }
    }

    private Socket client(String transport) {
        Socket s = IO.socket(URI.create(base), IO.Options.builder().setForceNew(true).setReconnection(false)
                .setTransports(new String[] {transport}).build());
        clients.add(s);
        return s;
    }

    private static void awaitConnect(Socket s) throws Exception {
        CompletableFuture<Void> up = new CompletableFuture<>();
        s.once(Socket.EVENT_CONNECT, a -> up.complete(null));
        s.once(Socket.EVENT_CONNECT_ERROR, a -> up.completeExceptionally(new AssertionError("refused: " + a[0])));
        s.connect();
        up.get(30, TimeUnit.SECONDS);
    }

    @Test
    void fiveThousandHalfHeadsAreClosedAtTheHeadTimeoutWhileOfficialClientsKeepWorking() throws Exception {
        Duration headTimeout = Duration.ofSeconds(3);
        start("limits.request-head-timeout = 3s");
        int n = 5000;
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", server.address().getPort());
        byte[] half = "GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII);
        List<SocketChannel> abusers = new ArrayList<>(n);
        long[] openedAt = new long[n];
        long[] closedAfterMs = new long[n];
        java.util.concurrent.ConcurrentLinkedQueue<Integer> toWatch = new java.util.concurrent.ConcurrentLinkedQueue<>();
        java.util.concurrent.atomic.AtomicInteger closed = new java.util.concurrent.atomic.AtomicInteger();
        try (Selector selector = Selector.open()) {
            // Watches for the server closing each connection, from the moment it is opened.
            Thread watcher = new Thread(() -> {
                ByteBuffer buf = ByteBuffer.allocate(512);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                try {
                    while (closed.get() < n && System.nanoTime() < deadline) {
                        for (Integer i; (i = toWatch.poll()) != null; ) {
                            SocketChannel ch;
                            synchronized (abusers) {
                                ch = abusers.get(i);
                            }
                            ch.register(selector, SelectionKey.OP_READ, i);
                        }
                        selector.select(50);
                        for (SelectionKey key : selector.selectedKeys()) {
                            int i = (Integer) key.attachment();
                            buf.clear();
                            int read;
                            try {
                                read = ((SocketChannel) key.channel()).read(buf);
                            } catch (java.io.IOException reset) {
                                read = -1;
                            }
                            if (read < 0) {
                                closedAfterMs[i] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - openedAt[i]);
                                key.cancel();
                                closed.incrementAndGet();
                            }
                        }
                        selector.selectedKeys().clear();
                    }
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, "half-head-watcher");
            watcher.setDaemon(true);
            for (int i = 0; i < n; i++) {
                SocketChannel ch = SocketChannel.open();
                ch.setOption(StandardSocketOptions.SO_LINGER, 0);
                ch.connect(address);
                ch.write(ByteBuffer.wrap(half));
                openedAt[i] = System.nanoTime();
                ch.configureBlocking(false);
                synchronized (abusers) {
                    abusers.add(ch);
                }
                toWatch.add(i);
                if (i == 0) {
                    watcher.start();
                }
            }
            long allOpen = System.nanoTime();

            // While they hang: official clients connect (polling, then WebSocket) and receive a publish.
            Socket ws = client("websocket");
            Socket polling = client("polling");
            CompletableFuture<Object> wsGot = new CompletableFuture<>();
            CompletableFuture<Object> pollingGot = new CompletableFuture<>();
            ws.on("news", a -> wsGot.complete(a[0]));
            polling.on("news", a -> pollingGot.complete(a[0]));
            awaitConnect(ws);
            awaitConnect(polling);
            HttpResponse<String> published = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/api/publish"))
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"event\":\"news\",\"data\":\"still here\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(published.statusCode()).isEqualTo(200);
            assertThat(wsGot.get(30, TimeUnit.SECONDS)).isEqualTo("still here");
            assertThat(pollingGot.get(30, TimeUnit.SECONDS)).isEqualTo("still here");

            // Every half-head connection is answered 408 and closed by the server.
            watcher.join(TimeUnit.SECONDS.toMillis(150));
            long slowest = 0;
            long fastest = Long.MAX_VALUE;
            for (long ms : closedAfterMs) {
                slowest = Math.max(slowest, ms);
                fastest = Math.min(fastest, ms);
            }
            System.out.printf("half-head connections: %d opened in %d ms; all closed by the server %d..%d ms after each"
                    + " opened (head timeout %d ms)%n", n, TimeUnit.NANOSECONDS.toMillis(allOpen - openedAt[0]), fastest,
                    slowest, headTimeout.toMillis());
            assertThat(closed.get()).as("connections closed by the server").isEqualTo(n);
            // Closed at the head timeout, plus scheduling slack on a loaded machine; far below the 120 s idle timeout.
            assertThat(fastest).isGreaterThanOrEqualTo(headTimeout.toMillis() - 100);
            assertThat(slowest).isLessThan(headTimeout.toMillis() + 30_000);
            assertThat(ws.connected()).isTrue();
            assertThat(polling.connected()).isTrue();
        } finally {
            synchronized (abusers) {
                for (SocketChannel ch : abusers) {
                    ch.close();
                }
            }
        }
        assertThat(metric("switchboard_limits_refused_total", "limit=\"request_head_timeout\"")).isEqualTo(n);
    }

    @Test
    void eventsPastThePacketRateAreAnsweredWithAnErrorAckThenTheConnectionCloses() throws Exception {
        start("limits.packets-per-second = 5");
        server.durable(); // the server is up
        Socket s = client("websocket");
        awaitConnect(s);
        List<String> answers = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<String> gone = new CompletableFuture<>();
        s.on(Socket.EVENT_DISCONNECT, a -> gone.complete(String.valueOf(a[0])));
        // No listener for "ping" on the server: only the rate limit answers acks.
        for (int i = 0; i < 12; i++) {
            s.emit("ping", new Object[] {i}, a -> answers.add(String.valueOf(a[0])));
        }
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> !answers.isEmpty());
        assertThat(new JSONObject(answers.get(0)).getJSONObject("error").getString("message")).isEqualTo("rate limit exceeded");
        for (int i = 0; i < 50 && !gone.isDone(); i++) {
            s.emit("ping", i);
        }
        assertThat(gone.get(20, TimeUnit.SECONDS)).isIn("transport close", "transport error");
        assertThat(metric("switchboard_limits_refused_total", "limit=\"packet_rate\"")).isGreaterThanOrEqualTo(1);
        assertThat(metric("switchboard_limits_refused_total", "limit=\"packet_rate_close\"")).isEqualTo(1);
    }

    @Test
    void aHandshakeFromAnOriginNotListedIsRefused() throws Exception {
        start("http.cors-origins = [\"https://app.example.com\"]");
        HttpClient http = HttpClient.newHttpClient();
        URI handshake = URI.create(base + "/socket.io/?EIO=4&transport=polling");
        HttpResponse<String> evil = http.send(HttpRequest.newBuilder(handshake).header("Origin", "https://evil.example").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(evil.statusCode()).isEqualTo(403);
        assertThat(evil.body()).contains("\"code\":4").contains("Origin not allowed");
        HttpResponse<String> good = http.send(HttpRequest.newBuilder(handshake).header("Origin", "https://app.example.com").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(good.statusCode()).isEqualTo(200);
        assertThat(good.body()).startsWith("0{");
        // Not a browser (no Origin): an official client connects.
        awaitConnect(client("websocket"));
        assertThat(metric("switchboard_limits_refused_total", "limit=\"origin\"")).isEqualTo(1);
    }

    private double metric(String name, String labels) throws Exception {
        String text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return text.lines().filter(l -> l.startsWith(name + "{") && l.contains(labels))
                .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .findFirst().orElseThrow(() -> new AssertionError("no sample " + name + " with " + labels));
    }
}
