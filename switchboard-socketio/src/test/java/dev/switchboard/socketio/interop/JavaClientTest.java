package dev.switchboard.socketio.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.engineio.EngineIoConfig;
import dev.switchboard.socketio.Socket;
import dev.switchboard.socketio.SocketIoConfig;
import dev.switchboard.socketio.SocketIoServer;
import dev.switchboard.testkit.LeakDetectorExtension;
import dev.switchboard.transport.TransportConfig;
import io.socket.client.Ack;
import io.socket.client.IO;
import io.socket.engineio.client.transports.Polling;
import io.socket.engineio.client.transports.WebSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The official Java client ({@code io.socket:socket.io-client} 2.1) against our server, over WebSocket
 * only, polling only, and polling upgraded to WebSocket.
 */
@ExtendWith(LeakDetectorExtension.class)
class JavaClientTest {

    private static SocketIoServer sio;
    private static String url;
    private final List<io.socket.client.Socket> clients = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        SocketIoConfig config = SocketIoConfig.builder()
                .engine(EngineIoConfig.builder().path(SocketIoConfig.DEFAULT_PATH)
                        .pingInterval(Duration.ofMillis(1000)).pingTimeout(Duration.ofMillis(1000)).build())
                .transport(TransportConfig.builder().host("127.0.0.1").port(0).build())
                .build();
        sio = SocketIoServer.create(config);
        sio.of("/guarded").use((socket, next) -> {
            if ("letmein".equals(socket.handshake().auth().get("token"))) {
                next.proceed();
            } else {
                next.reject("not authorized", Map.of("code", 4001, "hint", "send a token"));
            }
        }).on("connection", socket -> socket.emit("welcome", "guarded"));
        sio.of(Pattern.compile("^/room-\\d+$")).on("connection", socket -> socket.emit("welcome", socket.namespace()));
        sio.on("connection", socket -> {
            socket.emit("auth", socket.handshake().auth());
            socket.on("message", (args, ack) -> socket.emit("message-back", args.toArray()));
            socket.on("message-with-ack", (args, ack) -> ack.send(args.toArray()));
            socket.on("join", (args, ack) -> {
                socket.join((String) args.get(0));
                ack.send();
            });
            // ["ask", timeoutMs]: the server asks the client and reports what came back.
            socket.on("ask", (args, ack) -> socket.emitWithAck(Duration.ofMillis(((Number) args.get(0)).longValue()), "question", "q?")
                    .whenComplete((answer, error) -> ack.send(error == null ? answer.get(0) : "error: " + error.getMessage())));
            // ["op", {to, except, volatile}, payload]: a broadcast through the operators.
            socket.on("op", (args, ack) -> {
                @SuppressWarnings("unchecked")
                Map<String, Object> spec = (Map<String, Object>) args.get(0);
                var op = sio.sockets().to(((List<?>) spec.getOrDefault("to", List.of())).toArray(String[]::new))
                        .except(((List<?>) spec.getOrDefault("except", List.of())).toArray(String[]::new));
                if (Boolean.TRUE.equals(spec.get("fromSender"))) {
                    op = socket.to(((List<?>) spec.getOrDefault("to", List.of())).toArray(String[]::new));
                }
                op.emit("op", args.get(1));
                ack.send();
            });
            socket.on("kick", (args, ack) -> socket.disconnect(Boolean.TRUE.equals(args.get(0))));
        });
        url = "http://127.0.0.1:" + sio.start().toCompletableFuture().get(10, TimeUnit.SECONDS).getPort();
    }

    @AfterAll
    static void stop() {
        sio.close().toCompletableFuture().join();
    }

    @AfterEach
    void disconnectClients() {
        clients.forEach(io.socket.client.Socket::close);
        clients.clear();
    }

    private io.socket.client.Socket client(String mode, String nsp, Map<String, String> auth, boolean reconnection) {
        IO.Options options = IO.Options.builder()
                .setForceNew(true)
                .setReconnection(reconnection)
                .setReconnectionDelay(100)
                .setReconnectionDelayMax(100)
                .setTransports(switch (mode) {
                    case "websocket" -> new String[] {WebSocket.NAME};
                    case "polling" -> new String[] {Polling.NAME};
                    default -> new String[] {Polling.NAME, WebSocket.NAME};
                })
                .setUpgrade(!"polling".equals(mode))
                .setAuth(auth)
                .build();
        io.socket.client.Socket s = io.socket.client.IO.socket(URI.create(url + nsp), options);
        clients.add(s);
        return s;
    }

    /** A connected client whose first 'auth' event was received (upgraded in upgrade mode). */
    private Connected connect(String mode, Map<String, String> auth) throws Exception {
        io.socket.client.Socket s = client(mode, "/", auth, false);
        BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        s.on("auth", args -> events.add(args[0]));
        s.on("message-back", args -> events.add(args));
        s.on("op", args -> events.add("op:" + args[0]));
        s.connect();
        Object authEvent = take(events);
        String id = s.id();
        String expected = "polling".equals(mode) ? "polling" : "websocket";
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            Socket server = sio.sockets().socket(id);
            return server != null && expected.equals(server.transport());
        });
        return new Connected(s, events, authEvent);
    }

    record Connected(io.socket.client.Socket s, BlockingQueue<Object> events, Object auth) {}

    private static Object take(BlockingQueue<Object> q) throws InterruptedException {
        Object v = q.poll(15, TimeUnit.SECONDS);
        assertThat(v).as("event within 15 s").isNotNull();
        return v;
    }

    @ParameterizedTest
    @ValueSource(strings = {"websocket", "polling", "upgrade"})
    void connectWithAuth(String mode) throws Exception {
        Connected c = connect(mode, Map.of("token", "abc"));
        assertThat(c.auth().toString()).isEqualTo("{\"token\":\"abc\"}");
        assertThat(sio.sockets().socket(c.s().id()).handshake().auth()).containsEntry("token", "abc");
    }

    @ParameterizedTest
    @ValueSource(strings = {"websocket", "polling", "upgrade"})
    void middlewareRejectionCarriesData(String mode) throws Exception {
        BlockingQueue<Object> got = new LinkedBlockingQueue<>();
        io.socket.client.Socket refused = client(mode, "/guarded", Map.of("token", "wrong"), false);
        refused.on(io.socket.client.Socket.EVENT_CONNECT_ERROR, args -> got.add(args[0]));
        refused.connect();
        JSONObject err = (JSONObject) take(got);
        assertThat(err.getString("message")).isEqualTo("not authorized");
        assertThat(err.getJSONObject("data").getInt("code")).isEqualTo(4001);
        assertThat(err.getJSONObject("data").getString("hint")).isEqualTo("send a token");

        io.socket.client.Socket admitted = client(mode, "/guarded", Map.of("token", "letmein"), false);
        admitted.on("welcome", args -> got.add(args[0]));
        admitted.connect();
        assertThat(take(got)).isEqualTo("guarded");
    }

    @ParameterizedTest
    @ValueSource(strings = {"websocket", "polling", "upgrade"})
    void dynamicNamespaces(String mode) throws Exception {
        BlockingQueue<Object> got = new LinkedBlockingQueue<>();
        io.socket.client.Socket s = client(mode, "/room-42", Map.of(), false);
        s.on("welcome", args -> got.add(args[0]));
        s.connect();
        assertThat(take(got)).isEqualTo("/room-42");
        io.socket.client.Socket bad = client(mode, "/room-x", Map.of(), false);
        bad.on(io.socket.client.Socket.EVENT_CONNECT_ERROR, args -> got.add(args[0]));
        bad.connect();
        assertThat(((JSONObject) take(got)).getString("message")).isEqualTo("Invalid namespace");
    }

    @ParameterizedTest
    @ValueSource(strings = {"websocket", "polling", "upgrade"})
    void everyJsonType(String mode) throws Exception {
        Connected c = connect(mode, Map.of());
        JSONObject obj = new JSONObject().put("z", 1).put("nested", new JSONArray().put(true).put(JSONObject.NULL));
        c.s().emit("message", 1, 2.5, "text \u00fc\u2028\"q\"", true, false, JSONObject.NULL, obj, new JSONArray().put(1).put("a"));
        Object[] back = (Object[]) take(c.events());
        assertThat(back).hasSize(8);
        assertThat(back[0]).isEqualTo(1);
        assertThat(back[1]).isEqualTo(2.5);
        assertThat(back[2]).isEqualTo("text \u00fc\u2028\"q\"");
        assertThat(back[3]).isEqualTo(true);
        assertThat(back[4]).isEqualTo(false);
        assertThat(String.valueOf(back[5])).isEqualTo("null");
        assertThat(back[6].toString()).isEqualTo(obj.toString());
        assertThat(back[7].toString()).isEqualTo("[1,\"a\"]");
    }

    /** Over polling this client sends base64 with line breaks (Android's Base64.DEFAULT), as engine.io accepts. */
    @ParameterizedTest
    @ValueSource(strings = {"websocket", "polling", "upgrade"})
    void binaryAttachmentsBothWays(String mode) throws Exception {
        Connected c = connect(mode, Map.of());
        byte[] bin1 = {1, 2, 3};
        JSONObject withBinary = new JSONObject().put("deep", new JSONArray().put(new byte[] {(byte) 255, 0}));
        c.s().emit("message", bin1, withBinary, "text");
        Object[] back = (Object[]) take(c.events());
        assertThat((byte[]) back[0]).containsExactly(1, 2, 3);
        Object deep = ((JSONObject) back[1]).getJSONArray("deep").get(0);
        assertThat((byte[]) deep).containsExactly((byte) 255, 0);
        assertThat(back[2]).isEqualTo("text");

        BlockingQueue<Object> got = new LinkedBlockingQueue<>();
        c.s().emit("message-with-ack", "a", new byte[] {4}, (Ack) args -> got.add(args));
        Object[] acked = (Object[]) take(got);
        assertThat(acked[0]).isEqualTo("a");
        assertThat((byte[]) acked[1]).containsExactly(4);
    }

    @ParameterizedTest
    @ValueSource(strings = {"websocket", "polling", "upgrade"})
    void binaryFromTheServer(String mode) throws Exception {
        Connected c = connect(mode, Map.of());
        BlockingQueue<Object> got = new LinkedBlockingQueue<>();
        c.s().on("bin", args -> got.add(args));
        sio.sockets().socket(c.s().id()).emit("bin", new byte[] {9, 8}, Map.of("nested", List.of(new byte[] {7})));
        Object[] args = (Object[]) take(got);
        assertThat((byte[]) args[0]).containsExactly(9, 8);
        assertThat((byte[]) ((JSONObject) args[1]).getJSONArray("nested").get(0)).containsExactly(7);
    }

    @ParameterizedTest
    @ValueSource(strings = {"websocket", "polling", "upgrade"})
    void acknowledgementsBothWaysWithTimeouts(String mode) throws Exception {
        Connected c = connect(mode, Map.of());
        BlockingQueue<Object> got = new LinkedBlockingQueue<>();
        c.s().emit("message-with-ack", "a", 1, (Ack) args -> got.add(args));
        Object[] acked = (Object[]) take(got);
        assertThat(acked).containsExactly("a", 1);

        c.s().on("question", args -> ((Ack) args[args.length - 1]).call("answer"));
        c.s().emit("ask", 2000, (Ack) args -> got.add(args[0]));
        assertThat(take(got)).isEqualTo("answer");

        c.s().off("question");
        c.s().on("question", args -> got.add("asked, not answering"));
        c.s().emit("ask", 200, (Ack) args -> got.add(args[0]));
        assertThat(take(got)).isEqualTo("asked, not answering");
        assertThat(take(got)).isEqualTo("error: operation has timed out");
    }

    @ParameterizedTest
    @ValueSource(strings = {"websocket", "polling", "upgrade"})
    void roomsAndBroadcastOperators(String mode) throws Exception {
        Connected a = connect(mode, Map.of());
        Connected b = connect(mode, Map.of());
        Connected c = connect(mode, Map.of());
        BlockingQueue<Object> acks = new LinkedBlockingQueue<>();
        a.s().emit("join", "red", (Ack) args -> acks.add("a"));
        b.s().emit("join", "red", (Ack) args -> acks.add("b"));
        b.s().emit("join", "blue", (Ack) args -> acks.add("b2"));
        c.s().emit("join", "blue", (Ack) args -> acks.add("c"));
        for (int i = 0; i < 4; i++) {
            take(acks);
        }
        a.s().emit("op", new JSONObject().put("to", new JSONArray().put("red")), 1, (Ack) args -> acks.add("sent"));
        take(acks);
        assertThat(take(a.events())).isEqualTo("op:1");
        assertThat(take(b.events())).isEqualTo("op:1");
        a.s().emit("op", new JSONObject().put("to", new JSONArray().put("red")).put("except", new JSONArray().put("blue")), 2,
                (Ack) args -> acks.add("sent"));
        take(acks);
        assertThat(take(a.events())).isEqualTo("op:2");
        a.s().emit("op", new JSONObject().put("to", new JSONArray().put("red").put("blue")).put("fromSender", true), 3,
                (Ack) args -> acks.add("sent"));
        take(acks);
        assertThat(take(b.events())).isEqualTo("op:3");
        assertThat(take(c.events())).isEqualTo("op:3");
        a.s().emit("op", new JSONObject(), 4, (Ack) args -> acks.add("sent"));
        take(acks);
        for (Connected x : List.of(a, b, c)) {
            assertThat(take(x.events())).isEqualTo("op:4");
        }
        // Nothing more arrived: a marker to everyone is the next event each client gets.
        a.s().emit("op", new JSONObject(), 5, (Ack) args -> acks.add("sent"));
        take(acks);
        for (Connected x : List.of(a, b, c)) {
            assertThat(take(x.events())).as("nothing more before the marker").isEqualTo("op:5");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"websocket", "polling", "upgrade"})
    void serverDisconnectAndReconnection(String mode) throws Exception {
        BlockingQueue<Object> got = new LinkedBlockingQueue<>();
        io.socket.client.Socket s = client(mode, "/", Map.of(), true);
        s.on(io.socket.client.Socket.EVENT_CONNECT, args -> got.add("connect"));
        s.on(io.socket.client.Socket.EVENT_DISCONNECT, args -> got.add("disconnect:" + args[0]));
        s.connect();
        assertThat(take(got)).isEqualTo("connect");
        // The server drops the connection: the client sees a transport close and reconnects.
        String id = s.id();
        await().atMost(Duration.ofSeconds(15)).until(() -> sio.sockets().socket(id) != null);
        sio.engine().sessions().forEach(session -> {
            if (session.handshake().query().containsKey("EIO")) {
                // every session of this test class is ours; only this test's client is connected now
                session.close();
            }
        });
        assertThat(take(got)).asString().startsWith("disconnect:");
        assertThat(take(got)).isEqualTo("connect");
        // A namespace disconnect from the server is final: "io server disconnect", no reconnection.
        s.emit("kick", false);
        assertThat(take(got)).isEqualTo("disconnect:io server disconnect");
        // No reconnection within 2 s, twenty times the reconnection delay ...
        assertThat(got.poll(2, TimeUnit.SECONDS)).isNull();
        assertThat(s.connected()).isFalse();
        // ... though the client still reports one: a reconnection asked for is the next event.
        s.connect();
        assertThat(take(got)).isEqualTo("connect");
    }
}
