package dev.switchboard.engineio.echo;

import dev.switchboard.engineio.EngineIoConfig;
import dev.switchboard.engineio.EngineIoServer;
import dev.switchboard.engineio.EngineSocket;
import dev.switchboard.transport.CorsConfig;
import dev.switchboard.transport.HttpServer;
import dev.switchboard.transport.TransportConfig;
import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * A plain Engine.IO server that sends every message back to its sender (text as text, binary as
 * binary), for protocol tools and conformance runs:
 * {@code bin/switchboard echo --engine-only --port 3000 --path /engine.io/ --ping-interval 300
 * --ping-timeout 200 --max-payload 1000000 --cors '*'}.
 *
 * <p>Options (all optional): {@code --host} (default 0.0.0.0), {@code --port} (default 3000; 0 for
 * an ephemeral port), {@code --path} (default /engine.io/), {@code --ping-interval} and
 * {@code --ping-timeout} (ms; defaults 25000/20000), {@code --max-payload} (bytes; default 1000000),
 * {@code --cors} (comma-separated origins or {@code *}; default none), {@code --io-threads}.
 * {@code --engine-only} is accepted and ignored (the launcher's mode flag). Prints
 * {@code listening on host:port} once bound.
 */
public final class EngineEcho {

    private EngineEcho() {}

    public static void main(String[] args) {
        Running running;
        try {
            running = start(args);
        } catch (IllegalArgumentException e) {
            System.err.println("echo: " + e.getMessage());
            System.err.println("usage: echo [--host H] [--port P] [--path /engine.io/] [--ping-interval MS]"
                    + " [--ping-timeout MS] [--max-payload BYTES] [--cors ORIGINS|*] [--io-threads N]");
            System.exit(2);
            return;
        }
        InetSocketAddress a = running.address();
        System.out.println("listening on " + a.getHostString() + ":" + a.getPort() + running.engine().config().path());
        Runtime.getRuntime().addShutdownHook(new Thread(
                () -> running.close().toCompletableFuture().orTimeout(15, TimeUnit.SECONDS).join(), "echo-shutdown"));
    }

    /** A started echo server. */
    public record Running(HttpServer http, EngineIoServer engine, InetSocketAddress address) {

        /** Closes every session with its protocol's close, then the listener. */
        public CompletionStage<Void> close() {
            return http.shutdown();
        }
    }

    /** Parses the options and starts the server; blocks until bound. */
    public static Running start(String... args) {
        TransportConfig.Builder transport = TransportConfig.builder().port(3000);
        EngineIoConfig.Builder engine = EngineIoConfig.builder();
        List<String> list = Arrays.asList(args);
        for (int i = 0; i < list.size(); i++) {
            String opt = list.get(i);
            if (opt.equals("--engine-only")) {
                continue;
            }
            if (i + 1 >= list.size()) {
                throw new IllegalArgumentException("missing value for " + opt);
            }
            String v = list.get(++i);
            switch (opt) {
                case "--host" -> transport.host(v);
                case "--port" -> transport.port(integer(opt, v));
                case "--path" -> engine.path(v);
                case "--ping-interval" -> engine.pingInterval(Duration.ofMillis(integer(opt, v)));
                case "--ping-timeout" -> engine.pingTimeout(Duration.ofMillis(integer(opt, v)));
                case "--max-payload" -> engine.maxPayload(integer(opt, v));
                case "--cors" -> transport.cors(CorsConfig.origins(Arrays.asList(v.split(","))).build());
                case "--io-threads" -> transport.ioThreads(integer(opt, v));
                default -> throw new IllegalArgumentException("unknown option " + opt);
            }
        }
        EngineIoConfig config = engine.build();
        EngineIoServer server = EngineIoServer.create(config, EngineEcho::echo);
        HttpServer http = HttpServer.builder(EngineIoServer.fitTransport(transport, config).build())
                .route(config.path(), server.httpHandler())
                .build();
        InetSocketAddress address = http.start().toCompletableFuture().join();
        return new Running(http, server, address);
    }

    private static void echo(EngineSocket socket) {
        socket.listener(new EngineSocket.Listener() {
            @Override
            public void onMessage(String text) {
                socket.send(text);
            }

            @Override
            public void onBinary(ByteBuf data) {
                socket.send(data); // ownership passes on to send
            }
        });
    }

    private static int integer(String opt, String v) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(opt + " needs a whole number, was '" + v + "'");
        }
    }
}
