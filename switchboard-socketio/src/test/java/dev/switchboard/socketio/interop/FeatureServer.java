package dev.switchboard.socketio.interop;

import dev.switchboard.engineio.EngineIoConfig;
import dev.switchboard.socketio.AckTimeoutException;
import dev.switchboard.socketio.BroadcastOperator;
import dev.switchboard.socketio.Socket;
import dev.switchboard.socketio.SocketIoConfig;
import dev.switchboard.socketio.SocketIoServer;
import dev.switchboard.transport.TransportConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.regex.Pattern;

/** The Java twin of {@code src/test/js/features-server.cjs}: the same behaviour through our API. */
final class FeatureServer {

    private FeatureServer() {}

    static SocketIoServer create() {
        SocketIoServer io = SocketIoServer.create(SocketIoConfig.builder()
                .engine(EngineIoConfig.builder().path(SocketIoConfig.DEFAULT_PATH)
                        .pingInterval(Duration.ofMillis(1000)).pingTimeout(Duration.ofMillis(1000)).build())
                .transport(TransportConfig.builder().host("127.0.0.1").port(0).build())
                .connectTimeout(Duration.ofMillis(10_000))
                .build());

        io.of("/guarded").use((socket, next) -> {
            if ("letmein".equals(socket.handshake().auth().get("token"))) {
                next.proceed();
            } else {
                next.reject("not authorized", Map.of("code", 4001, "hint", "send a token"));
            }
        }).on("connection", socket -> socket.emit("welcome", "/guarded"));

        io.of(Pattern.compile("^/dyn-\\d+$")).on("connection", socket -> socket.emit("welcome", socket.namespace()));

        io.on("connection", socket -> {
            socket.emit("welcome", "/");
            socket.use((event, args, next) -> {
                if ("forbidden".equals(event)) {
                    next.reject("forbidden", null);
                } else {
                    next.proceed();
                }
            });
            socket.onError(err -> socket.emit("packet-error", err.getMessage()));
            socket.on("join", (args, ack) -> {
                socket.join(str(args, 0));
                ack.send();
            });
            socket.on("rooms", (args, ack) ->
                    ack.send(socket.rooms().stream().filter(r -> !r.equals(socket.id())).sorted().toList()));
            socket.on("op", (args, ack) -> {
                target(io, socket, map(args.get(0))).emit("op", args.subList(1, args.size()).toArray());
                ack.send();
            });
            socket.on("ask", (args, ack) -> socket.emitWithAck(ms(args, 0), "question", "q?")
                    .whenComplete((answer, err) -> ack.send(err == null ? answer.get(0) : "error: " + cause(err).getMessage())));
            socket.on("ask-all", (args, ack) -> io.to(str(args, 0)).timeout(ms(args, 1)).emitWithAck("question", "all?")
                    .whenComplete((acks, err) -> {
                        Map<String, Object> result = new LinkedHashMap<>();
                        List<Object> responses = err == null ? acks.responses()
                                : ((AckTimeoutException) cause(err)).partialResponses();
                        result.put("error", err == null ? null : cause(err).getMessage());
                        result.put("responses", responses.stream().map(String::valueOf).sorted().toList());
                        ack.send(result);
                    }));
            socket.on("fetch", (args, ack) ->
                    ack.send(io.in(str(args, 0)).fetchSockets().stream().map(Socket::id).sorted().toList()));
            socket.on("sockets-join", (args, ack) -> {
                io.in(str(args, 0)).socketsJoin(str(args, 1));
                ack.send();
            });
            socket.on("sockets-leave", (args, ack) -> {
                io.in(str(args, 0)).socketsLeave(str(args, 1));
                ack.send();
            });
            socket.on("disconnect-room", (args, ack) -> io.in(str(args, 0)).disconnectSockets(Boolean.TRUE.equals(args.get(1))));
            socket.on("kick", (args, ack) -> socket.disconnect(Boolean.TRUE.equals(args.get(0))));
        });
        return io;
    }

    private static BroadcastOperator target(SocketIoServer io, Socket socket, Map<String, Object> spec) {
        String[] to = strings(spec.get("to"));
        BroadcastOperator op = Boolean.TRUE.equals(spec.get("fromSender")) ? socket.to(to) : io.to(to);
        op = op.except(strings(spec.get("except")));
        return Boolean.TRUE.equals(spec.get("volatile")) ? op.asVolatile() : op;
    }

    private static String[] strings(Object list) {
        List<String> out = new ArrayList<>();
        if (list instanceof List<?>) {
            ((List<?>) list).forEach(o -> out.add(String.valueOf(o)));
        }
        return out.toArray(String[]::new);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    private static String str(List<Object> args, int i) {
        return String.valueOf(args.get(i));
    }

    private static Duration ms(List<Object> args, int i) {
        return Duration.ofMillis(((Number) args.get(i)).longValue());
    }

    private static Throwable cause(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }
}
