package dev.switchboard.examples.chat;

import dev.switchboard.socketio.Namespace;
import dev.switchboard.socketio.Socket;
import dev.switchboard.socketio.SocketIoConfig;
import dev.switchboard.socketio.SocketIoServer;
import dev.switchboard.transport.TransportConfig;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A chat server with rooms and acknowledgements, the program to start from when embedding Switchboard's
 * Socket.IO server. Clients (any official Socket.IO v4 client) connect to namespace {@code /chat} with
 * {@code auth: {name}} and emit:
 * <ul>
 *   <li>{@code join} {@code "room"} with an ack: joins, answers {@code {room, members}}, and tells the room
 *       {@code joined {room, name}};</li>
 *   <li>{@code leave} {@code "room"} with an ack: leaves and tells the room {@code left {room, name}};</li>
 *   <li>{@code message} {@code {room, text}} with an ack: everyone else in the room gets
 *       {@code message {id, room, from, text}}; the sender's ack carries {@code {id}}, or
 *       {@code {error}} when the sender is not in that room.</li>
 * </ul>
 * Run: {@code java dev.switchboard.examples.chat.ChatServer [port]} (default 3000).
 */
public final class ChatServer implements AutoCloseable {

    public static final String NAMESPACE = "/chat";

    private final SocketIoServer io;
    private final AtomicLong ids = new AtomicLong();
    private InetSocketAddress address;

    private ChatServer(int port) {
        io = SocketIoServer.create(SocketIoConfig.builder()
                .transport(TransportConfig.builder().host("127.0.0.1").port(port).build())
                .build());
        Namespace chat = io.of(NAMESPACE);
        // Refuse a socket without a name: the client gets connect_error with this message.
        chat.use((socket, next) -> {
            if (name(socket).isBlank()) {
                next.reject("a name is required: io(url, { auth: { name } })", null);
            } else {
                next.proceed();
            }
        });
        chat.on("connection", this::onConnection);
    }

    /** Starts listening; port 0 picks a free one (see {@link #address()}). */
    public static ChatServer start(int port) {
        ChatServer server = new ChatServer(port);
        server.address = server.io.start().toCompletableFuture().join();
        return server;
    }

    public InetSocketAddress address() {
        return address;
    }

    private void onConnection(Socket socket) {
        String name = name(socket);
        socket.on("join", (args, ack) -> {
            String room = room(args);
            if (room == null) {
                ack.send(Map.of("error", "expected a room name"));
                return;
            }
            socket.join(room);
            socket.to(room).emit("joined", Map.of("room", room, "name", name));
            ack.send(Map.of("room", room, "members", io.of(NAMESPACE).rooms().getOrDefault(room, 0)));
        });
        socket.on("leave", (args, ack) -> {
            String room = room(args);
            if (room != null && socket.rooms().contains(room)) {
                socket.leave(room);
                socket.to(room).emit("left", Map.of("room", room, "name", name));
            }
            ack.send(Map.of("room", room == null ? "" : room));
        });
        socket.on("message", (args, ack) -> {
            Object first = args.isEmpty() ? null : args.get(0);
            if (!(first instanceof Map<?, ?> msg) || !(msg.get("room") instanceof String room)
                    || !(msg.get("text") instanceof String text)) {
                ack.send(Map.of("error", "expected {room, text}"));
                return;
            }
            if (!socket.rooms().contains(room)) {
                ack.send(Map.of("error", "join " + room + " first"));
                return;
            }
            long id = ids.incrementAndGet();
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("id", id);
            out.put("room", room);
            out.put("from", name);
            out.put("text", text);
            socket.to(room).emit("message", out);
            ack.send(Map.of("id", id));
        });
    }

    private static String room(java.util.List<Object> args) {
        return !args.isEmpty() && args.get(0) instanceof String s && !s.isBlank() && s.length() <= 100 ? s : null;
    }

    private static String name(Socket socket) {
        return socket.handshake().auth().get("name") instanceof String s ? s.strip() : "";
    }

    @Override
    public void close() {
        io.close().toCompletableFuture().join();
    }

    public static void main(String[] args) throws InterruptedException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 3000;
        ChatServer server = start(port);
        System.out.println("chat on http://" + server.address().getHostString() + ":" + server.address().getPort()
                + " namespace " + NAMESPACE);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }));
        stopped.await();
    }
}
