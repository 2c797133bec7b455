package dev.switchboard.bench.harness;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * How to start one server under test.
 *
 * @param name     short name used in tables ({@code switchboard}, {@code node}, {@code netty-socketio})
 * @param version  what exactly runs, for the report
 * @param command  command template; {@code {port}}, {@code {pingInterval}}, {@code {pingTimeout}},
 *                 {@code {maxPayload}} and {@code {connectTimeout}} are replaced per start
 * @param env      extra environment
 * @param workDir  working directory
 * @param heap     how to read heap-after-GC: {@code jvm} (jcmd on the java process in the tree),
 *                 {@code node} (the echo server's BENCH_STATS hook)
 */
record ServerSpec(String name, String version, List<String> command, Map<String, String> env, Path workDir, String heap) {

    List<String> commandFor(int port, Heartbeat hb) {
        return command.stream().map(s -> s
                .replace("{port}", Integer.toString(port))
                .replace("{pingInterval}", Integer.toString(hb.pingIntervalMs()))
                .replace("{pingTimeout}", Integer.toString(hb.pingTimeoutMs()))
                .replace("{maxPayload}", Integer.toString(hb.maxPayload()))
                .replace("{connectTimeout}", Integer.toString(hb.connectTimeoutMs())))
                .toList();
    }
}
