package dev.switchboard.examples.springchat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.socketio.SocketIoServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.socket.client.IO;
import io.socket.client.Socket;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthEndpoint;
import org.springframework.boot.actuate.health.Status;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The Spring Boot example started as an application (SpringApplication.run, application.yml, port 0),
 * talked to with the official Java client, checked through Actuator health and the application's meter
 * registry, then closed: the client is told, as on a graceful shutdown.
 */
class SpringChatApplicationTest {

    private static JSONObject call(Socket socket, String event, Object arg) throws Exception {
        CompletableFuture<JSONObject> answer = new CompletableFuture<>();
        socket.emit(event, new Object[] {arg}, args -> answer.complete((JSONObject) args[0]));
        return answer.get(30, TimeUnit.SECONDS);
    }

    private static Socket connect(int port, BlockingQueue<Object> events) throws Exception {
        Socket socket = IO.socket(URI.create("http://127.0.0.1:" + port + "/chat"),
                IO.Options.builder().setForceNew(true).setReconnection(false).build());
        socket.on("message", a -> events.add(a[0]));
        socket.on(Socket.EVENT_DISCONNECT, a -> events.add("disconnect:" + a[0]));
        CompletableFuture<Void> connected = new CompletableFuture<>();
        socket.once(Socket.EVENT_CONNECT, a -> connected.complete(null));
        socket.connect();
        connected.get(30, TimeUnit.SECONDS);
        return socket;
    }

    @Test
    void theApplicationServesSocketIoReportsHealthAndMetricsAndShutsDownGracefully() throws Exception {
        ConfigurableApplicationContext app = SpringApplication.run(SpringChatApplication.class,
                "--switchboard.http.port=0", "--management.endpoint.health.show-details=always");
        List<Socket> sockets = new ArrayList<>();
        try {
            // The health contributor: UP, with the port the listener took.
            Health health = (Health) app.getBean(HealthEndpoint.class).healthForPath("switchboard");
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            int port = (Integer) health.getDetails().get("port");
            assertThat(app.getBean(SocketIoServer.class).namespace("/chat")).isNotNull();

            BlockingQueue<Object> adaEvents = new LinkedBlockingQueue<>();
            BlockingQueue<Object> bobEvents = new LinkedBlockingQueue<>();
            Socket ada = connect(port, adaEvents);
            Socket bob = connect(port, bobEvents);
            sockets.add(ada);
            sockets.add(bob);
            assertThat(call(ada, "join", "lobby").getString("room")).isEqualTo("lobby");
            call(bob, "join", "lobby");
            JSONObject ack = call(ada, "message", new JSONObject().put("room", "lobby").put("text", "hi from Spring"));
            JSONObject got = (JSONObject) bobEvents.poll(10, TimeUnit.SECONDS);
            assertThat(got.getString("text")).isEqualTo("hi from Spring");
            assertThat(got.getLong("id")).isEqualTo(ack.getLong("id"));
            assertThat(call(bob, "join", "lobby").getString("last")).isEqualTo("hi from Spring");

            MeterRegistry registry = app.getBean(MeterRegistry.class);
            assertThat(registry.get("switchboard.socketio.handshakes").tag("namespace", "/chat").counter().count()).isEqualTo(2);
            assertThat(registry.get("switchboard.socketio.connections").tag("namespace", "/chat").gauge().value()).isEqualTo(2);

            // Closing the application stops the server: each client is told (not a dropped connection).
            app.close();
            assertThat(adaEvents.poll(10, TimeUnit.SECONDS)).isEqualTo("disconnect:io server disconnect");
        } finally {
            sockets.forEach(Socket::close);
            app.close();
        }
    }
}
