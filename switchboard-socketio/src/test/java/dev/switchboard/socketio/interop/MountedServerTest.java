package dev.switchboard.socketio.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.socketio.SocketIoConfig;
import dev.switchboard.socketio.SocketIoServer;
import dev.switchboard.socketio.echo.SocketIoEcho;
import dev.switchboard.testkit.LeakDetectorExtension;
import dev.switchboard.transport.HttpHandler;
import dev.switchboard.transport.HttpServer;
import dev.switchboard.transport.TransportConfig;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The server module's setup: Socket.IO mounted on a shared listener next to another route (an HTTP API
 * that reads the Socket.IO server's state), one port.
 */
@ExtendWith(LeakDetectorExtension.class)
class MountedServerTest {

    @Test
    void socketIoNextToAnHttpApiOnOnePort() throws Exception {
        SocketIoServer io = SocketIoEcho.install(SocketIoServer.create(SocketIoConfig.defaults()));
        HttpHandler api = (ctx, request) -> {
            byte[] body = ("rooms " + io.sockets().rooms().size() + " sockets " + io.sockets().sockets().size())
                    .getBytes(StandardCharsets.UTF_8);
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.wrappedBuffer(body));
            response.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
            ctx.writeAndFlush(response);
        };
        HttpServer http = HttpServer.builder(TransportConfig.builder().host("127.0.0.1").port(0).build())
                .route(io.path(), io.httpHandler())
                .route("/api/", api)
                .build();
        int port = http.start().toCompletableFuture().get(15, TimeUnit.SECONDS).getPort();
        try {
            RawWebSocket client = RawWebSocket.open(port);
            client.connect();
            client.send("42[\"join\",\"lobby\"]");
            client.send("42[\"message\",\"hi\"]");
            assertThat(client.next()).isEqualTo("42[\"message-back\",\"hi\"]");
            HttpResponse<String> r = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/state")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.body()).isEqualTo("rooms 2 sockets 1");
            client.ws.abort();
        } finally {
            io.close().toCompletableFuture().get(15, TimeUnit.SECONDS);
            http.shutdown().toCompletableFuture().get(15, TimeUnit.SECONDS);
        }
    }
}
