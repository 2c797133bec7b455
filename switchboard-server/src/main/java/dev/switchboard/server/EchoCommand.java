package dev.switchboard.server;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;

/**
 * {@code switchboard echo}: the protocol echo servers that conformance tools and the benchmarks run
 * against. Everything after the command is passed on to the echo server, which parses its own options.
 */
@Command(name = "echo",
        description = {
                "Run an echo server for protocol tools: every message goes back to its sender.",
                "Everything after 'echo' goes to the echo server, which parses its own options:",
                "  Socket.IO (default): --port --path --ping-interval --ping-timeout --max-payload",
                "    --cors --connect-timeout --recovery <ms>",
                "    --per-message-deflate <threshold bytes|off> --http-compression <threshold bytes|off>",
                "  Engine.IO only (--engine-only): --port --path --ping-interval --ping-timeout",
                "    --max-payload --cors",
                "Example: switchboard echo --engine-only --port 3000 --path /engine.io/ --cors '*'"
        })
final class EchoCommand implements Callable<Integer> {

    static final String ENGINE_ECHO = "dev.switchboard.engineio.echo.EngineEcho";
    static final String SOCKETIO_ECHO = "dev.switchboard.socketio.echo.SocketIoEcho";

    @Option(names = "--engine-only", description = "Plain Engine.IO echo instead of Socket.IO.")
    boolean engineOnly;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    /** Everything else, in order, for the echo server's own parser. */
    @Unmatched
    List<String> rest = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        String main = engineOnly ? ENGINE_ECHO : SOCKETIO_ECHO;
        Class<?> type;
        try {
            type = Class.forName(main);
        } catch (ClassNotFoundException e) {
            System.err.println("switchboard: " + main + " is not on the class path of this build");
            return Main.EXIT_FAILURE;
        }
        // The echo mains parse their own options, start their server and return (or exit on a usage error);
        // their shutdown hooks close the server on SIGTERM. Returning here would let Main exit the JVM, so
        // this thread waits until the process is terminated.
        type.getMethod("main", String[].class).invoke(null, (Object) rest.toArray(String[]::new));
        new java.util.concurrent.CountDownLatch(1).await();
        return 0;
    }
}
