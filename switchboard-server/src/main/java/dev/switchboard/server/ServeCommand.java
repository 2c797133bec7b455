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

    /** How long --check waits for every component to come up. */
    static final java.time.Duration CHECK_TIMEOUT = java.time.Duration.ofSeconds(30);

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
            config.logFormat().apply();
            server = SwitchboardServer.start(config);
        } catch (StartupProblem p) {
            System.err.println("switchboard: cannot start: " + p.getMessage());
            return Main.EXIT_FAILURE;
        }
        if (options.check) {
            boolean ready;
            try {
                ready = server.awaitReady(CHECK_TIMEOUT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                ready = false;
            }
            server.stop();
            if (!ready) {
                System.err.println("switchboard: check failed: not ready within " + CHECK_TIMEOUT.toSeconds() + " s");
                return Main.EXIT_FAILURE;
            }
            return server.awaitStopped() ? 0 : Main.EXIT_FAILURE;
        }
        Signals.onTerminate(server::stop);
        return server.awaitStopped() ? 0 : Main.EXIT_FAILURE;
    }
}
