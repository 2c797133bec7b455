package dev.switchboard.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.routing.Router;
import dev.switchboard.core.routing.Routers;
import dev.switchboard.testkit.LeakDetectorExtension;
import dev.switchboard.testkit.NodePeers;
import dev.switchboard.transport.HttpHandler;
import dev.switchboard.transport.HttpServer;
import dev.switchboard.transport.TransportConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** MQTT over WebSocket on an HTTP listener, with MQTT.js over ws and tcp. */
@ExtendWith(LeakDetectorExtension.class)
class MqttWebSocketTest {

    private HttpServer http;
    private MqttServer mqtt;
    private int httpPort;
    private int mqttPort;

    @BeforeEach
    void start() {
        TransportConfig transport = TransportConfig.builder().host("127.0.0.1").port(0).build();
        // The route exists before the MQTT server that serves it (which needs the listener's loops).
        AtomicReference<HttpHandler> route = new AtomicReference<>();
        http = HttpServer.builder(transport).route("/mqtt", (ctx, req) -> route.get().handle(ctx, req)).build();
        Router router = Routers.local();
        mqtt = MqttServer.create(MqttConfig.builder().host("127.0.0.1").port(0).build(), transport,
                http.eventLoopGroup(), "epoll".equals(http.transportName()), router, MqttMetrics.NONE);
        route.set(mqtt.webSocketRoute());
        httpPort = http.start().toCompletableFuture().join().getPort();
        mqttPort = mqtt.start().toCompletableFuture().join().getPort();
    }

    @AfterEach
    void stop() throws Exception {
        mqtt.shutdown().toCompletableFuture().get(10, TimeUnit.SECONDS);
        http.shutdown().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void mqttJsOverWebSocketAndOverTcpShareTopics() {
        NodePeers.test(Path.of("src/test/js/websocket.test.mjs"),
                Map.of("WS_URL", "ws://127.0.0.1:" + httpPort + "/mqtt", "MQTT_URL", "mqtt://127.0.0.1:" + mqttPort),
                Duration.ofSeconds(60), NodePeers.Expected.passed(2)).assertSucceeded();
    }

    @Test
    void aWebSocketHandshakeWithoutTheMqttSubprotocolIsAnsweredWith400() throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", httpPort)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET /mqtt HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String status = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                    java.nio.charset.StandardCharsets.US_ASCII)).readLine();
            assertThat(status).isEqualTo("HTTP/1.1 400 Bad Request");
        }
    }
}
