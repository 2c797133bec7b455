package dev.switchboard.bench.load;

import dev.switchboard.testkit.NodePeers;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The Node socket.io echo peer on an ephemeral port, for tests; close() stops it. */
final class NodeEchoServer implements AutoCloseable {

    private final Process process;
    private final int port;

    private NodeEchoServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts {@code peers/node/echo-server.mjs --port 0 [options]} and waits for its "listening" line. */
    static NodeEchoServer start(String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("--port", "0"));
        args.addAll(List.of(options));
        Process p = NodePeers.start(Path.of("peers/node/echo-server.mjs"), Map.of(), args.toArray(String[]::new));
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<Integer> listening = CompletableFuture.supplyAsync(() -> {
            try {
                for (String line; (line = out.readLine()) != null; ) {
                    if (line.startsWith("listening ")) {
                        return Integer.parseInt(line.substring("listening ".length()).trim());
                    }
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            throw new IllegalStateException("echo server exited before listening");
        });
        try {
            return new NodeEchoServer(p, listening.get(20, TimeUnit.SECONDS));
        } catch (Exception e) {
            p.destroyForcibly();
            throw e;
        }
    }

    int port() {
        return port;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
