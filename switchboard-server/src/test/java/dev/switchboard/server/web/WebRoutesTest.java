package dev.switchboard.server.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.server.api.HttpApi;
import dev.switchboard.server.api.SocketAdmin;
import dev.switchboard.server.health.Health;
import dev.switchboard.server.metrics.ServerMetrics;
import dev.switchboard.testkit.LeakDetectorExtension;
import dev.switchboard.transport.HttpHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The server's own HTTP routes on an {@link EmbeddedChannel}: status, headers, bodies, and no leaked buffers. */
@ExtendWith(LeakDetectorExtension.class)
class WebRoutesTest {

    /** Answers what one route writes for one request. */
    private static Answer exchange(HttpHandler route, HttpMethod method, String uri, String body) {
        EmbeddedChannel channel = new EmbeddedChannel(new SimpleChannelInboundHandler<FullHttpRequest>() {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
                route.handle(ctx, request);
            }
        });
        DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri,
                body == null ? Unpooled.EMPTY_BUFFER : Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        request.headers().set("content-type", "application/json");
        channel.writeInbound(request);
        // The API answers from its worker pool: wait for the write to reach the channel.
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            channel.runPendingTasks();
            return !channel.outboundMessages().isEmpty();
        });
        FullHttpResponse response = channel.readOutbound();
        try {
            return new Answer(response.status().code(), response.headers().get("content-type"),
                    response.content().toString(StandardCharsets.UTF_8), channel.isOpen());
        } finally {
            response.release();
            channel.finishAndReleaseAll();
        }
    }

    record Answer(int status, String contentType, String body, boolean open) {}

    @Test
    void theDemoPageAndTheOfficialClientBundleAreServed() {
        StaticRoute route = new StaticRoute(true);
        Answer page = exchange(route, HttpMethod.GET, "/", null);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.contentType()).startsWith("text/html");
        assertThat(page.body()).contains("<script src=\"/socket.io-client/socket.io.min.js\"></script>");

        Answer bundle = exchange(route, HttpMethod.GET, "/socket.io-client/socket.io.min.js?v=1", null);
        assertThat(bundle.status()).isEqualTo(200);
        assertThat(bundle.contentType()).startsWith("text/javascript");
        assertThat(bundle.body()).contains("Socket.IO v4.8.4");

        assertThat(exchange(route, HttpMethod.GET, "/../pom.xml", null).status()).isEqualTo(404);
        assertThat(exchange(route, HttpMethod.POST, "/", "x").status()).isEqualTo(405);
        Answer head = exchange(route, HttpMethod.HEAD, "/", null);
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
    }

    @Test
    void withoutTheDemoOnlyTheBundleIsServed() {
        StaticRoute route = new StaticRoute(false);
        assertThat(exchange(route, HttpMethod.GET, "/", null).status()).isEqualTo(404);
        assertThat(exchange(route, HttpMethod.GET, "/socket.io-client/socket.io.min.js", null).status()).isEqualTo(200);
    }

    @Test
    void readinessFollowsEveryComponent() {
        Health health = new Health(Set.of("http", "store"));
        HealthRoute route = new HealthRoute(health);
        assertThat(exchange(route, HttpMethod.GET, "/health/live", null).status()).isEqualTo(200);

        Answer starting = exchange(route, HttpMethod.GET, "/health/ready", null);
        assertThat(starting.status()).isEqualTo(503);
        assertThat(starting.body()).contains("\"status\":\"DOWN\"", "\"store\":{\"status\":\"DOWN\",\"detail\":\"starting\"}");

        health.register("http", Health.Status::up);
        health.register("store", Health.Status::up);
        Answer ready = exchange(route, HttpMethod.GET, "/health/ready", null);
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.body()).startsWith("{\"status\":\"UP\"");

        health.registerAll(() -> java.util.Map.of("socketio", Health.Status.down("recovering: \"boom\"")));
        Answer failed = exchange(route, HttpMethod.GET, "/health/ready", null);
        assertThat(failed.status()).isEqualTo(503);
        assertThat(failed.body()).contains("recovering: \\\"boom\\\"");
    }

    @Test
    void metricsArePrometheusText() {
        try (ServerMetrics metrics = new ServerMetrics()) {
            Answer a = exchange(new MetricsRoute(metrics), HttpMethod.GET, "/metrics", null);
            assertThat(a.status()).isEqualTo(200);
            assertThat(a.contentType()).startsWith("text/plain");
            assertThat(a.body()).contains("# TYPE jvm_memory_used_bytes gauge", "netty_allocator_memory_used");
        }
    }

    @Test
    void theApiRefusesBodiesOverItsLimitAndAnswersFromItsPool() {
        SocketAdmin none = new SocketAdmin() {
            public List<NamespaceInfo> namespaces() { return List.of(new NamespaceInfo("/", 0, 0)); }
            public Optional<List<RoomInfo>> rooms(String n) { return Optional.of(List.of()); }
            public Optional<List<SocketInfo>> sockets(String n, Optional<String> r) { return Optional.of(List.of()); }
            public boolean disconnect(String n, String s, boolean c) { return false; }
            public int join(String n, Selection s, Set<String> r) { return 0; }
            public int leave(String n, Selection s, Set<String> r) { return 0; }
            public int publish(String n, Set<String> r, Set<String> e, String ev, List<Object> a) { return 0; }
            public java.util.concurrent.CompletionStage<AckResult> publishWithAck(String n, Set<String> r, Set<String> e,
                    String ev, List<Object> a, java.time.Duration t) {
                return java.util.concurrent.CompletableFuture.completedFuture(new AckResult(0, List.of(), false));
            }
        };
        try (ApiRoute route = new ApiRoute(new HttpApi(none, "", new SimpleMeterRegistry()), 64)) {
            Answer list = exchange(route, HttpMethod.GET, "/api/namespaces", null);
            assertThat(list.status()).isEqualTo(200);
            assertThat(list.body()).isEqualTo("{\"namespaces\":[{\"name\":\"/\",\"sockets\":0,\"rooms\":0}]}");

            Answer big = exchange(route, HttpMethod.POST, "/api/publish", "{\"event\":\"x\",\"data\":\"" + "y".repeat(100) + "\"}");
            assertThat(big.status()).isEqualTo(413);
            assertThat(big.body()).contains("payload_too_large");
        }
    }
}
