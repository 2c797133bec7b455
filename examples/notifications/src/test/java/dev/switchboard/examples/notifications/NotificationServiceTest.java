package dev.switchboard.examples.notifications;

import static org.assertj.core.api.Assertions.assertThat;

import io.socket.client.IO;
import io.socket.client.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The notification example: REST in, Socket.IO out, to the official Java client on two "devices". */
class NotificationServiceTest {

    private NotificationService service;
    private final List<Socket> clients = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() {
        clients.forEach(Socket::close);
        if (service != null) {
            service.close();
        }
    }

    private BlockingQueue<JSONObject> device(String user) throws Exception {
        Socket socket = IO.socket(URI.create("http://127.0.0.1:" + service.socketIoAddress().getPort()),
                IO.Options.builder().setForceNew(true).setReconnection(false).setAuth(Map.of("user", user)).build());
        clients.add(socket);
        BlockingQueue<JSONObject> received = new LinkedBlockingQueue<>();
        socket.on("notification", args -> received.add((JSONObject) args[0]));
        CompletableFuture<Void> connected = new CompletableFuture<>();
        socket.once(Socket.EVENT_CONNECT, a -> connected.complete(null));
        socket.connect();
        connected.get(30, TimeUnit.SECONDS);
        return received;
    }

    private HttpResponse<String> notify(String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.restAddress().getPort() + "/notify"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aPostReachesEveryDeviceOfThatUserOnly() throws Exception {
        service = NotificationService.start(0, 0);
        BlockingQueue<JSONObject> phone = device("ann");
        BlockingQueue<JSONObject> laptop = device("ann");
        BlockingQueue<JSONObject> bob = device("bob");

        HttpResponse<String> r = notify("{\"user\":\"ann\",\"title\":\"Build green\",\"body\":\"main at 4f1c\"}");
        assertThat(r.statusCode()).isEqualTo(202);
        assertThat(r.body()).isEqualTo("{\"user\":\"ann\",\"devices\":2}");
        for (BlockingQueue<JSONObject> device : List.of(phone, laptop)) {
            JSONObject n = device.poll(10, TimeUnit.SECONDS);
            assertThat(n).isNotNull();
            assertThat(n.getString("title")).isEqualTo("Build green");
            assertThat(n.getString("body")).isEqualTo("main at 4f1c");
        }

        // A marker for bob afterwards: once it is there, ann's notification would have come before it.
        assertThat(notify("{\"user\":\"bob\",\"title\":\"marker\"}").body()).isEqualTo("{\"user\":\"bob\",\"devices\":1}");
        assertThat(bob.poll(10, TimeUnit.SECONDS).getString("title")).isEqualTo("marker");
        assertThat(bob).isEmpty();

        assertThat(notify("{\"user\":\"nobody\",\"title\":\"lost\"}").body()).isEqualTo("{\"user\":\"nobody\",\"devices\":0}");
    }

    @Test
    void malformedRequestsAreRefusedWithTheReason() throws Exception {
        service = NotificationService.start(0, 0);
        HttpResponse<String> broken = notify("{\"user\": ");
        assertThat(broken.statusCode()).isEqualTo(400);
        assertThat(broken.body()).contains("malformed JSON");
        HttpResponse<String> noTitle = notify("{\"user\":\"ann\"}");
        assertThat(noTitle.statusCode()).isEqualTo(400);
        assertThat(noTitle.body()).contains("title");
        HttpResponse<String> huge = notify("{\"user\":\"ann\",\"title\":\"" + "x".repeat(NotificationService.MAX_BODY) + "\"}");
        assertThat(huge.statusCode()).isEqualTo(413);
    }
}
