package dev.switchboard.examples.notifications;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.switchboard.socketio.Namespace;
import dev.switchboard.socketio.SocketIoConfig;
import dev.switchboard.socketio.SocketIoServer;
import dev.switchboard.transport.TransportConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A notification service: applications POST notifications to a REST endpoint, users' browsers and apps
 * receive them over Socket.IO, on every device they are connected with.
 * <ul>
 *   <li>Socket.IO (namespace {@code /}): a client connects with {@code auth: {user}} and is put in the
 *       room {@code user:<user>}; it receives {@code notification {title, body}}.</li>
 *   <li>{@code POST /notify} with {@code {"user": "...", "title": "...", "body": "..."}}: publishes to that
 *       user's room; answers {@code 202 {"user": ..., "devices": N}} (N sockets connected now; 0 is not
 *       an error: a notification service without storage drops what nobody is connected to receive).
 *       Malformed input answers 400 with the reason.</li>
 * </ul>
 * Two listeners: Socket.IO on its own port, the REST endpoint on the JDK's HTTP server (any web framework
 * does the same: it only calls {@code io.to(room).emit(..)}). Run:
 * {@code java dev.switchboard.examples.notifications.NotificationService [socketPort] [restPort]}.
 */
public final class NotificationService implements AutoCloseable {

    /** Largest accepted request body: a notification is a short text. */
    static final int MAX_BODY = 16 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SocketIoServer io;
    private final HttpServer rest;
    private final ExecutorService restThreads = Executors.newFixedThreadPool(2);
    private InetSocketAddress socketIoAddress;

    private NotificationService(int socketPort, int restPort) throws IOException {
        io = SocketIoServer.create(SocketIoConfig.builder()
                .transport(TransportConfig.builder().host("127.0.0.1").port(socketPort).build())
                .build());
        Namespace main = io.sockets();
        main.use((socket, next) -> {
            if (socket.handshake().auth().get("user") instanceof String user && !user.isBlank()) {
                next.proceed();
            } else {
                next.reject("auth.user is required", null);
            }
        });
        main.on("connection", socket -> socket.join(room((String) socket.handshake().auth().get("user"))));

        rest = HttpServer.create(new InetSocketAddress("127.0.0.1", restPort), 64);
        rest.createContext("/notify", this::notify);
        rest.setExecutor(restThreads);
    }

    public static NotificationService start(int socketPort, int restPort) throws IOException {
        NotificationService s = new NotificationService(socketPort, restPort);
        s.socketIoAddress = s.io.start().toCompletableFuture().join();
        s.rest.start();
        return s;
    }

    static String room(String user) {
        return "user:" + user;
    }

    public InetSocketAddress socketIoAddress() {
        return socketIoAddress;
    }

    public InetSocketAddress restAddress() {
        return rest.getAddress();
    }

    private void notify(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestMethod().equals("POST")) {
                exchange.getResponseHeaders().set("Allow", "POST");
                reply(exchange, 405, Map.of("error", "use POST"));
                return;
            }
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readNBytes(MAX_BODY + 1);
            }
            if (body.length > MAX_BODY) {
                reply(exchange, 413, Map.of("error", "body larger than " + MAX_BODY + " bytes"));
                return;
            }
            JsonNode n;
            try {
                n = JSON.readTree(body);
            } catch (IOException e) {
                reply(exchange, 400, Map.of("error", "malformed JSON"));
                return;
            }
            if (n == null || !n.path("user").isTextual() || n.path("user").asText().isBlank() || !n.path("title").isTextual()) {
                reply(exchange, 400, Map.of("error", "expected {\"user\": string, \"title\": string, \"body\"?: string}"));
                return;
            }
            String user = n.path("user").asText();
            int devices = io.sockets().rooms().getOrDefault(room(user), 0);
            io.to(room(user)).emit("notification", Map.of("title", n.path("title").asText(), "body", n.path("body").asText("")));
            reply(exchange, 202, Map.of("user", user, "devices", devices));
        }
    }

    private static void reply(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        rest.stop(0);
        restThreads.shutdown();
        io.close().toCompletableFuture().join();
    }

    public static void main(String[] args) throws Exception {
        int socketPort = args.length > 0 ? Integer.parseInt(args[0]) : 3000;
        int restPort = args.length > 1 ? Integer.parseInt(args[1]) : 3001;
        NotificationService s = start(socketPort, restPort);
        System.out.println("Socket.IO on port " + s.socketIoAddress().getPort()
                + "; POST http://127.0.0.1:" + s.restAddress().getPort() + "/notify {\"user\",\"title\",\"body\"}");
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            s.close();
            stopped.countDown();
        }));
        stopped.await();
    }
}
