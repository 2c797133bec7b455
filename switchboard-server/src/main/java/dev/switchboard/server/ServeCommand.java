package dev.switchboard.server;

import dev.switchboard.server.config.ConfigLoader;
import dev.switchboard.server.config.ConfigProblem;
import dev.switchboard.server.config.ServerConfig;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code switchboard serve} (the default): load the configuration, start, run until SIGTERM or Ctrl-C. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve Socket.IO, the HTTP API, health, metrics and the demo page on one port (the default command).")
final class ServeCommand implements Callable<Integer> {

    @Mixin
    ServeOptions options = new ServeOptions();

    ServeCommand() {}

    ServeCommand(ServeOptions options) {
        this.options = options;
    }

    @Override
    public Integer call() {
        ServerConfig config;
        try {
            config = new ConfigLoader().load(Optional.ofNullable(options.config), System.getenv(), options.overrides());
        } catch (ConfigProblem p) {
            System.err.println("switchboard: configuration error: " + p.getMessage());
            return Main.EXIT_USAGE;
        }
        SwitchboardServer server;
        try {
            server = SwitchboardServer.start(config);
        } catch (StartupProblem p) {
            System.err.println("switchboard: cannot start: " + p.getMessage());
            return Main.EXIT_FAILURE;
        }
        Signals.onTerminate(server::stop);
        return server.awaitStopped() ? 0 : Main.EXIT_FAILURE;
    }
}
