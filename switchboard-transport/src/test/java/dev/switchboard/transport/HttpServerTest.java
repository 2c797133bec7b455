package dev.switchboard.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.switchboard.testkit.LeakDetectorExtension;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(LeakDetectorExtension.class)
class HttpServerTest {

    private HttpServer server;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void stop() {
        if (server != null) {
            server.shutdown().toCompletableFuture().orTimeout(20, TimeUnit.SECONDS).join();
        }
    }

    /** Answers "name:path" with keep-alive. */
    static HttpHandler named(String name) {
        return (ctx, req) -> ctx.writeAndFlush(text(HttpResponseStatus.OK, name + ":" + req.uri()));
    }

    static FullHttpResponse text(HttpResponseStatus status, String body) {
        ByteBuf content = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain").setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        return r;
    }

    private InetSocketAddress start(TransportConfig config, HttpServer.Builder routes) {
        server = routes.build();
        return server.start().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
    }

    private static TransportConfig.Builder local() {
        return TransportConfig.builder().host("127.0.0.1").port(0).ioThreads(1);
    }

    private HttpResponse<String> get(InetSocketAddress a, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.getPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void routesByLongestPrefixAndAnswers404Otherwise() throws Exception {
        TransportConfig config = local().build();
        InetSocketAddress a = start(config, HttpServer.builder(config)
                .route("/api/", named("api"))
                .route("/api/v2/", named("v2"))
                .route("/static", named("static")));
        assertThat(server.transportName()).isIn("epoll", "nio");
        assertThat(get(a, "/api/x?y=/api/v2/").body()).isEqualTo("api:/api/x?y=/api/v2/");
        assertThat(get(a, "/api/v2/thing").body()).isEqualTo("v2:/api/v2/thing");
        assertThat(get(a, "/static/app.js").body()).isEqualTo("static:/static/app.js");
        HttpResponse<String> missing = get(a, "/nothing");
        assertThat(missing.statusCode()).isEqualTo(404);
    }

    @Test
    void keepsTheConnectionAliveAcrossRequests() throws Exception {
        TransportConfig config = local().build();
        InetSocketAddress a = start(config, HttpServer.builder(config).route("/", named("root")));
        try (Socket s = new Socket("127.0.0.1", a.getPort())) {
            s.setSoTimeout(5000);
            for (int i = 0; i < 3; i++) {
                s.getOutputStream().write(("GET /r" + i + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 200").endsWith("root:/r" + i);
            }
        }
    }

    @Test
    void refusesABodyOverMaxContentLength() throws Exception {
        TransportConfig config = local().maxContentLength(100).build();
        InetSocketAddress a = start(config, HttpServer.builder(config).route("/", named("root")));
        HttpResponse<String> big = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.getPort() + "/"))
                .POST(HttpRequest.BodyPublishers.ofString("x".repeat(101))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(big.statusCode()).isEqualTo(413);
        HttpResponse<String> ok = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.getPort() + "/"))
                .POST(HttpRequest.BodyPublishers.ofString("x".repeat(100))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ok.statusCode()).isEqualTo(200);
    }

    @Test
    void tellsTheRouteOfARequestRefusedForItsSize() throws Exception {
        TransportConfig config = local().maxContentLength(100).build();
        List<String> refused = new CopyOnWriteArrayList<>();
        HttpHandler route = new HttpHandler() {
            @Override
            public void handle(ChannelHandlerContext ctx, FullHttpRequest req) {
                ctx.writeAndFlush(text(HttpResponseStatus.OK, "handled"));
            }

            @Override
            public void oversizedRequest(Channel channel, io.netty.handler.codec.http.HttpRequest request) {
                assertThat(channel.eventLoop().inEventLoop()).isTrue();
                refused.add(request.method() + " " + request.uri());
            }
        };
        InetSocketAddress a = start(config, HttpServer.builder(config).route("/in/", route).route("/", named("root")));
        try (Socket s = new Socket("127.0.0.1", a.getPort())) {
            s.setSoTimeout(5000);
            // Declared too long: refused on the head alone, the connection kept (the body is skipped).
            s.getOutputStream().write("POST /in/x?sid=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 101\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 413");
        }
        try (Socket s = new Socket("127.0.0.1", a.getPort())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(("POST /other HTTP/1.1\r\nHost: x\r\nContent-Length: 101\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 413");
        }
        try (Socket s = new Socket("127.0.0.1", a.getPort())) {
            s.setSoTimeout(5000);
            // A chunked body that grows past the limit: 413, then the connection closes.
            s.getOutputStream().write(("POST /in/chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "c8\r\n" + "y".repeat(101)).getBytes(StandardCharsets.US_ASCII));
            assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 413");
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
        assertThat(refused).containsExactly("POST /in/x?sid=1", "POST /in/chunked");
    }

    @Test
    void trimsWhatOnlyHttpNeedsAfterAWebSocketUpgrade() {
        io.netty.channel.embedded.EmbeddedChannel ch = new io.netty.channel.embedded.EmbeddedChannel();
        ch.pipeline().addLast(NettyHttpServer.IDLE_STATE, new io.netty.handler.timeout.IdleStateHandler(0, 0, 60));
        ch.pipeline().addLast(NettyHttpServer.IDLE_CLOSER, IdleCloser.INSTANCE);
        ch.pipeline().addLast(NettyHttpServer.KEEP_ALIVE, new io.netty.handler.codec.http.HttpServerKeepAliveHandler());
        ch.pipeline().addLast("frames", new io.netty.channel.ChannelInboundHandlerAdapter());
        HttpHandler.trimAfterWebSocketUpgrade(ch.pipeline(), false);
        assertThat(ch.pipeline().names()).contains(NettyHttpServer.IDLE_STATE, NettyHttpServer.IDLE_CLOSER, "frames")
                .doesNotContain(NettyHttpServer.KEEP_ALIVE);
        HttpHandler.trimAfterWebSocketUpgrade(ch.pipeline(), true);
        assertThat(ch.pipeline().names()).contains("frames").doesNotContain(NettyHttpServer.IDLE_STATE,
                NettyHttpServer.IDLE_CLOSER, NettyHttpServer.CORS);
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void answersCorsPreflightAndAddsHeadersToResponses() throws Exception {
        TransportConfig config = local().cors(CorsConfig.origins("https://app.example").allowCredentials(true)
                .maxAge(Duration.ofSeconds(60)).build()).build();
        InetSocketAddress a = start(config, HttpServer.builder(config).route("/", named("root")));
        URI uri = URI.create("http://127.0.0.1:" + a.getPort() + "/engine.io/");
        HttpResponse<String> preflight = client.send(HttpRequest.newBuilder(uri)
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://app.example")
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "content-type").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(preflight.statusCode()).isEqualTo(200);
        assertThat(preflight.headers().firstValue("access-control-allow-origin")).hasValue("https://app.example");
        assertThat(preflight.headers().firstValue("access-control-allow-credentials")).hasValue("true");
        assertThat(preflight.headers().firstValue("access-control-allow-methods").orElse("")).contains("POST");
        assertThat(preflight.headers().firstValue("access-control-max-age")).hasValue("60");

        HttpResponse<String> actual = client.send(HttpRequest.newBuilder(uri).header("Origin", "https://app.example").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(actual.body()).isEqualTo("root:/engine.io/");
        assertThat(actual.headers().firstValue("access-control-allow-origin")).hasValue("https://app.example");

        HttpResponse<String> other = client.send(HttpRequest.newBuilder(uri).header("Origin", "https://evil.example").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(other.headers().firstValue("access-control-allow-origin")).isEmpty();
    }

    @Test
    void closesIdleConnections() throws Exception {
        TransportConfig config = local().idleTimeout(Duration.ofMillis(200)).build();
        InetSocketAddress a = start(config, HttpServer.builder(config).route("/", named("root")));
        try (Socket s = new Socket("127.0.0.1", a.getPort())) {
            s.setSoTimeout(5000);
            // The server closes the idle connection: the read sees end of stream, not the 5 s timeout.
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void shutdownAsksRoutesToCloseThenClosesTheRest() throws Exception {
        List<Channel> held = new CopyOnWriteArrayList<>();
        AtomicInteger shutdownCalls = new AtomicInteger();
        CompletableFuture<Void> heldClosedByRoute = new CompletableFuture<>();
        HttpHandler holding = new HttpHandler() {
            @Override
            public void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
                held.add(ctx.channel()); // a long-poll: no answer yet
            }

            @Override
            public java.util.concurrent.CompletionStage<Void> shutdown() {
                shutdownCalls.incrementAndGet();
                for (Channel c : held) {
                    c.writeAndFlush(text(HttpResponseStatus.OK, "bye")).addListener(f -> c.close());
                    c.closeFuture().addListener(f -> heldClosedByRoute.complete(null));
                }
                return heldClosedByRoute;
            }
        };
        TransportConfig config = local().build();
        InetSocketAddress a = start(config, HttpServer.builder(config).route("/", holding));
        try (Socket s = new Socket("127.0.0.1", a.getPort())) {
            s.setSoTimeout(10000);
            s.getOutputStream().write("GET /poll HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> held.size() == 1);
            CompletableFuture<Void> done = server.shutdown().toCompletableFuture();
            assertThat(readResponse(s.getInputStream())).endsWith("bye");
            done.orTimeout(20, TimeUnit.SECONDS).join();
            assertThat(shutdownCalls.get()).isEqualTo(1);
            assertThat(server.eventLoopGroup().isTerminated()).isTrue();
            assertThat(server.shutdown().toCompletableFuture().isDone()).isTrue();
        }
        server = null;
    }

    @Test
    void servesTlsFromPemFiles(@TempDir Path dir) throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Process p;
        try {
            p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=localhost", "-keyout", key.toString(), "-out", cert.toString())
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            p = null;
        }
        assumeTrue(p != null && p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "openssl not available");
        TransportConfig config = local().tls(cert, key).build();
        InetSocketAddress a = start(config, HttpServer.builder(config).route("/", named("tls")));
        SSLContext trustAll = SSLContext.getInstance("TLS");
        trustAll.init(null, new TrustManager[] {new X509TrustManager() {
            public void checkClientTrusted(X509Certificate[] c, String t) {}
            public void checkServerTrusted(X509Certificate[] c, String t) {}
            public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
        }}, new SecureRandom());
        HttpClient tls = HttpClient.newBuilder().sslContext(trustAll).build();
        HttpResponse<String> r = tls.send(HttpRequest.newBuilder(URI.create("https://localhost:" + a.getPort() + "/s")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.body()).isEqualTo("tls:/s");
        assertThat(Files.size(cert)).isPositive();
    }

    @Test
    void configBuildersRefuseBadValues() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TransportConfig.builder().port(70000))
                .hasMessageContaining("port");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TransportConfig.builder().writeBufferWaterMarks(10, 5))
                .hasMessageContaining("low=10 high=5");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> CorsConfig.origins("*", "https://a"))
                .hasMessageContaining("mix");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> HttpServer.builder(TransportConfig.builder().build())
                .route("nope", named("x"))).hasMessageContaining("start with '/'");
    }

    /** Reads one response with a Content-Length body; returns head + body as text. */
    static String readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        int state = 0;
        while (state < 4 && (b = in.read()) != -1) {
            head.write(b);
            state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
        }
        String h = head.toString(StandardCharsets.US_ASCII);
        int len = 0;
        for (String line : h.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                len = Integer.parseInt(line.substring(15).trim());
            }
        }
        byte[] body = in.readNBytes(len);
        return h + new String(body, StandardCharsets.UTF_8);
    }
}
