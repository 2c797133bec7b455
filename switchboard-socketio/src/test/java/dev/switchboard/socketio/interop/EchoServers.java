package dev.switchboard.socketio.interop;

import dev.switchboard.socketio.SocketIoServer;
import dev.switchboard.socketio.echo.SocketIoEcho;
import dev.switchboard.testkit.NodePeers;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The two echo servers the scenarios run against: ours in-process, and the official Node one (the oracle). */
enum EchoServers {
    JAVA, NODE_ORACLE;

    static final Path JS = Path.of("src/test/js");

    /** The options both servers start with (short heartbeats so drops are noticed quickly). */
    static List<String> args(boolean recovery) {
        List<String> a = new ArrayList<>(List.of("--host", "127.0.0.1", "--port", "0", "--ping-interval", "1000",
                "--ping-timeout", "1000", "--connect-timeout", "10000", "--cors", "*"));
        if (recovery) {
            a.addAll(List.of("--recovery", "5000"));
        }
        return a;
    }

    /** A running echo server; {@link #close()} stops it. */
    interface Running extends AutoCloseable {
        String url();

        @Override
        void close();
    }

    Running start(boolean recovery) throws Exception {
        return start(recovery ? Kind.ECHO_RECOVERY : Kind.ECHO);
    }

    /** Which application: the echo command (with or without recovery), or the feature scenarios' server. */
    enum Kind { ECHO, ECHO_RECOVERY, FEATURES }

    Running start(Kind kind) throws Exception {
        boolean recovery = kind == Kind.ECHO_RECOVERY;
        if (this == JAVA) {
            SocketIoServer io = kind == Kind.FEATURES ? FeatureServer.create()
                    : SocketIoEcho.install(SocketIoServer.create(SocketIoEcho.parse(args(recovery))));
            int port = io.start().toCompletableFuture().get(10, TimeUnit.SECONDS).getPort();
            return new Running() {
                public String url() {
                    return "http://127.0.0.1:" + port;
                }

                public void close() {
                    io.close().toCompletableFuture().join();
                }
            };
        }
        Process p = kind == Kind.FEATURES ? NodePeers.start(JS.resolve("features-server.cjs"), Map.of())
                : NodePeers.start(JS.resolve("echo-server.cjs"), Map.of(), args(recovery).toArray(String[]::new));
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<Integer> port = CompletableFuture.supplyAsync(() -> {
            try {
                for (String line; (line = out.readLine()) != null; ) {
                    if (line.startsWith("LISTENING ")) {
                        return Integer.parseInt(line.substring(10).trim());
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            throw new IllegalStateException("the Node echo server exited before listening");
        });
        int bound;
        try {
            bound = port.get(15, TimeUnit.SECONDS);
        } catch (Exception e) {
            p.destroyForcibly();
            throw e;
        }
        // Keep draining its output so it never blocks on a full pipe.
        CompletableFuture.runAsync(() -> {
            try {
                while (out.readLine() != null) {
                    // discard
                }
            } catch (IOException ignored) {
                // the process ended
            }
        });
        return new Running() {
            public String url() {
                return "http://127.0.0.1:" + bound;
            }

            public void close() {
                p.destroy();
                try {
                    if (!p.waitFor(5, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    p.destroyForcibly();
                    Thread.currentThread().interrupt();
                }
            }
        };
    }
}
