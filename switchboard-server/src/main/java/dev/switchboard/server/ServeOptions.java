package dev.switchboard.server;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** The options of {@code serve} (also accepted without the command). Each one overrides a config key. */
final class ServeOptions {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "HOCON configuration file (only the keys you change; see switchboard-reference.conf).")
    Path config;

    @Option(names = {"-p", "--port"}, paramLabel = "N",
            description = "HTTP port for everything (switchboard.http.port; default 8080; 0 = any free port).")
    Integer port;

    @Option(names = "--host", paramLabel = "ADDR",
            description = "Interface to listen on (switchboard.http.host; default 127.0.0.1; 0.0.0.0 = all).")
    String host;

    @Option(names = {"-d", "--data"}, paramLabel = "DIR",
            description = "Data directory (switchboard.data-dir; default ./data).")
    Path data;

    @Option(names = "--token", paramLabel = "TOKEN",
            description = "Bearer token required by the HTTP API (switchboard.api.token; default none). "
                    + "Prefer SWITCHBOARD_API_TOKEN: flags show in the process list.")
    String token;

    @Option(names = "-D", paramLabel = "KEY=VALUE", mapFallbackValue = "",
            description = "Set any configuration key, e.g. -D switchboard.socketio.ping-interval=10s.")
    Map<String, String> properties = new LinkedHashMap<>();

    @Option(names = "--check",
            description = "Start, wait until every component is up, then shut down gracefully; exit 0 if it got ready.")
    boolean check;

    /** Command-line overrides by full key, lowest first (a flag wins over -D for the same key). */
    Map<String, Object> overrides() {
        Map<String, Object> out = new LinkedHashMap<>();
        properties.forEach((k, v) -> out.put(k.startsWith("switchboard.") ? k : "switchboard." + k, v));
        if (port != null) {
            out.put("switchboard.http.port", port);
        }
        if (host != null) {
            out.put("switchboard.http.host", host);
        }
        if (data != null) {
            out.put("switchboard.data-dir", data.toString());
        }
        if (token != null) {
            out.put("switchboard.api.token", token);
        }
        return out;
    }
}
