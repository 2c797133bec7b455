package dev.switchboard.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import io.socket.client.IO;
import io.socket.client.Socket;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The chat example run as a user runs it, driven by the official Java client (io.socket:socket.io-client). */
class ChatServerTest {

    private ChatServer server;
    private final List<Socket> clients = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void stop() {
        clients.forEach(Socket::close);
        if (server != null) {
            server.close();
        }
    }

    private Socket connect(String name) throws Exception {
        IO.Options options = IO.Options.builder().setForceNew(true).setReconnection(false)
                .setAuth(name == null ? Map.of() : Map.of("name", name)).build();
        Socket socket = IO.socket(URI.create("http://127.0.0.1:" + server.address().getPort() + ChatServer.NAMESPACE), options);
        clients.add(socket);
        return socket;
    }

    private static CompletableFuture<Void> connected(Socket socket) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        socket.once(Socket.EVENT_CONNECT, a -> f.complete(null));
        socket.once(Socket.EVENT_CONNECT_ERROR, a -> f.completeExceptionally(new AssertionError(String.valueOf(a[0]))));
        socket.connect();
        return f;
    }

    private static JSONObject call(Socket socket, String event, Object arg) throws Exception {
        CompletableFuture<JSONObject> answer = new CompletableFuture<>();
        socket.emit(event, new Object[] {arg}, args -> answer.complete((JSONObject) args[0]));
        return answer.get(30, TimeUnit.SECONDS);
    }

    private static BlockingQueue<JSONObject> record(Socket socket, String event) {
        BlockingQueue<JSONObject> q = new LinkedBlockingQueue<>();
        socket.on(event, args -> q.add((JSONObject) args[0]));
        return q;
    }

    @Test
    void twoPeopleChatInARoomWithAcknowledgements() throws Exception {
        server = ChatServer.start(0);
        Socket ada = connect("Ada");
        Socket bob = connect("Bob");
        BlockingQueue<JSONObject> bobMessages = record(bob, "message");
        BlockingQueue<JSONObject> adaJoined = record(ada, "joined");
        connected(ada).get(30, TimeUnit.SECONDS);
        connected(bob).get(30, TimeUnit.SECONDS);

        assertThat(call(ada, "join", "lobby").toString()).isEqualTo("{\"members\":1,\"room\":\"lobby\"}");
        assertThat(call(bob, "join", "lobby").getInt("members")).isEqualTo(2);
        assertThat(adaJoined.poll(10, TimeUnit.SECONDS).getString("name")).isEqualTo("Bob");

        JSONObject sent = call(ada, "message", new JSONObject().put("room", "lobby").put("text", "hello Bob"));
        JSONObject received = bobMessages.poll(10, TimeUnit.SECONDS);
        assertThat(received.getString("from")).isEqualTo("Ada");
        assertThat(received.getString("text")).isEqualTo("hello Bob");
        assertThat(received.getLong("id")).isEqualTo(sent.getLong("id"));

        // Not in the room: refused in the ack, nobody gets it.
        assertThat(call(ada, "message", new JSONObject().put("room", "elsewhere").put("text", "x")).getString("error"))
                .isEqualTo("join elsewhere first");
        assertThat(call(ada, "message", "not an object").getString("error")).isEqualTo("expected {room, text}");

        // Bob leaves: Ada's next message reaches no one, and her ack still comes.
        call(bob, "leave", "lobby");
        call(ada, "message", new JSONObject().put("room", "lobby").put("text", "anyone?"));
        assertThat(call(bob, "join", "other").getInt("members")).isEqualTo(1);
        assertThat(bobMessages).isEmpty();
    }

    @Test
    void aClientWithoutANameIsRefused() throws Exception {
        server = ChatServer.start(0);
        CompletableFuture<Void> nameless = connected(connect(null));
        assertThat(nameless).failsWithin(30, TimeUnit.SECONDS).withThrowableThat()
                .withMessageContaining("a name is required");
    }
}
