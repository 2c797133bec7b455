package dev.switchboard.server.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.socket.client.IO;
import io.socket.client.Socket;
import io.socket.engineio.client.transports.WebSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The peers of the RabbitMQ server tests: the machine's broker through amqp-client (its own connection,
 * names with a random suffix, deleted afterwards), official Socket.IO Java clients, and HTTP.
 */
final class RabbitPeers implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(30);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    final Connection amqp;
    private final List<String> queues = new ArrayList<>();
    private final List<Socket> sockets = new ArrayList<>();
    String base;

    RabbitPeers() throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setUri("amqp://guest:guest@127.0.0.1:5672");
        f.setAutomaticRecoveryEnabled(false);
        amqp = f.newConnection("switchboard-server-test");
    }

    static String unique(String base) {
        return base + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A classic exclusive queue bound to {@code exchange} with {@code key}, deleted with the connection. */
    String bindQueue(Channel ch, String exchange, String key) throws Exception {
        String q = ch.queueDeclare(unique("test.sink"), false, true, true, null).getQueue();
        ch.queueBind(q, exchange, key);
        return q;
    }

    void deleteQueueAfterwards(String name) {
        queues.add(name);
    }

    /** The queues this one deletes on close, to hand to a successor after its connection died. */
    List<String> queuesToDelete() {
        return List.copyOf(queues);
    }

    Socket connect(Map<String, String> auth) throws Exception {
        var b = IO.Options.builder().setForceNew(true).setReconnection(false)
                .setTransports(new String[] {WebSocket.NAME});
        if (auth != null) {
            b.setAuth(auth);
        }
        Socket s = IO.socket(URI.create(base + "/"), b.build());
        sockets.add(s);
        CountDownLatch connected = new CountDownLatch(1);
        s.once(Socket.EVENT_CONNECT, args -> connected.countDown());
        s.connect();
        assertThat(connected.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("connected").isTrue();
        return s;
    }

    HttpResponse<String> post(String path, String json) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    void closeSockets() {
        sockets.forEach(Socket::close);
        sockets.clear();
    }

    @Override
    public void close() throws Exception {
        closeSockets();
        try (Channel ch = amqp.createChannel()) {
            for (String q : queues) {
                ch.queueDelete(q);
            }
        } finally {
            amqp.close();
        }
    }
}
