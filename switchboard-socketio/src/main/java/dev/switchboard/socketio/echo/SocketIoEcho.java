package dev.switchboard.socketio.echo;

import dev.switchboard.engineio.EngineIoConfig;
import dev.switchboard.socketio.Namespace;
import dev.switchboard.socketio.RecoveryConfig;
import dev.switchboard.socketio.SocketIoConfig;
import dev.switchboard.socketio.SocketIoServer;
import dev.switchboard.transport.CorsConfig;
import dev.switchboard.transport.TransportConfig;
import java.time.Duration;
import java.util.List;

/**
 * The echo server: the first Socket.IO application to read. On {@code /} and {@code /custom} it greets
 * each socket with its auth payload; on {@code /} it echoes, acknowledges, joins, leaves and broadcasts.
 *
 * <pre>
 * bin/switchboard echo --port 3000 --ping-interval 300 --ping-timeout 200 --max-payload 1000000 \
 *     --connect-timeout 1000 --cors '*' [--recovery 120000]
 * </pre>
 */
public final class SocketIoEcho {

    private SocketIoEcho() {}

    /** Registers the echo behaviour on a server. */
    public static SocketIoServer install(SocketIoServer io) {
        io.on("connection", socket -> {
            socket.emit("auth", socket.handshake().auth());
            socket.on("message", (args, ack) -> socket.emit("message-back", args.toArray()));
            socket.on("message-with-ack", (args, ack) -> ack.send(args.toArray()));
            socket.on("join", (args, ack) -> {
                socket.join(String.valueOf(args.get(0)));
                ack.send();
            });
            socket.on("leave", (args, ack) -> {
                socket.leave(String.valueOf(args.get(0)));
                ack.send();
            });
            socket.on("broadcast", (args, ack) ->
                    io.to(String.valueOf(args.get(0))).emit("broadcast", args.subList(1, args.size()).toArray()));
        });
        Namespace custom = io.of("/custom");
        custom.on("connection", socket -> socket.emit("auth", socket.handshake().auth()));
        return io;
    }

    public static void main(String[] args) {
        SocketIoConfig config = parse(List.of(args));
        SocketIoServer io = install(SocketIoServer.create(config));
        var address = io.start().toCompletableFuture().join();
        System.out.println("socket.io echo listening on " + address + config.engine().path());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> io.close().toCompletableFuture().join()));
    }

    /** The command line as a config; unknown options are refused. */
    public static SocketIoConfig parse(List<String> args) {
        TransportConfig.Builder transport = TransportConfig.builder().port(3000);
        EngineIoConfig.Builder engine = EngineIoConfig.builder().path(SocketIoConfig.DEFAULT_PATH);
        SocketIoConfig.Builder config = SocketIoConfig.builder();
        for (int i = 0; i < args.size(); i++) {
            String option = args.get(i);
            if (i + 1 >= args.size()) {
                throw new IllegalArgumentException("missing value for " + option);
            }
            String v = args.get(++i);
            switch (option) {
                case "--port" -> transport.port(Integer.parseInt(v));
                case "--host" -> transport.host(v);
                case "--ping-interval" -> engine.pingInterval(Duration.ofMillis(Long.parseLong(v)));
                case "--ping-timeout" -> engine.pingTimeout(Duration.ofMillis(Long.parseLong(v)));
                case "--max-payload" -> {
                    engine.maxPayload(Integer.parseInt(v));
                    engine.maxPendingBytes(Math.max(4L * 1024 * 1024, Long.parseLong(v)));
                    transport.maxContentLength(Math.max(Integer.parseInt(v), 1024 * 1024));
                }
                case "--connect-timeout" -> config.connectTimeout(Duration.ofMillis(Long.parseLong(v)));
                case "--cors" -> transport.cors(("*".equals(v) ? CorsConfig.anyOrigin() : CorsConfig.origins(v.split(","))).build());
                // a threshold in bytes turns it on, "off" turns it off (defaults: deflate off, HTTP 1024)
                case "--per-message-deflate" -> {
                    engine.perMessageDeflate(!"off".equals(v));
                    if (!"off".equals(v)) {
                        engine.perMessageDeflateThreshold(Integer.parseInt(v));
                    }
                }
                case "--http-compression" -> {
                    engine.httpCompression(!"off".equals(v));
                    if (!"off".equals(v)) {
                        engine.httpCompressionThreshold(Integer.parseInt(v));
                    }
                }
                case "--recovery" -> config.recovery(RecoveryConfig.builder()
                        .maxDisconnectionDuration(Duration.ofMillis(Long.parseLong(v))).build());
                default -> throw new IllegalArgumentException("unknown option " + option);
            }
        }
        return config.engine(engine.build()).transport(transport.build()).build();
    }
}
