package dev.switchboard.server;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code bin/switchboard}: the command line. Without a command it serves (HTTP, Socket.IO, HTTP API,
 * demo page, health and metrics on one port); {@code echo} runs the protocol echo servers used by
 * conformance tools.
 *
 * <p>Exit codes: 0 after a clean shutdown (SIGTERM, Ctrl-C) or --help; 1 when the server could not start
 * (port in use, unusable data directory) or failed; 2 for a usage or configuration error. Every refusal
 * is one line on standard error.
 */
@Command(name = "switchboard",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {
                "Switchboard: a real-time messaging server (Socket.IO, HTTP API) for the JVM.",
                "Without a command: serve on http://127.0.0.1:8080 with data in ./data."
        },
        subcommands = {ServeCommand.class, EchoCommand.class, CommandLine.HelpCommand.class},
        footer = {
                "",
                "Configuration: every key with its default is in switchboard-reference.conf (HOCON).",
                "Precedence: flags > SWITCHBOARD_* environment variables > --config file > defaults.",
                "Exit codes: 0 clean shutdown, 1 could not start or failed, 2 bad usage or configuration."
        })
public final class Main implements java.util.concurrent.Callable<Integer> {

    static final int EXIT_FAILURE = 1;
    static final int EXIT_USAGE = 2;

    @CommandLine.Mixin
    ServeOptions options = new ServeOptions();

    @Override
    public Integer call() {
        // No command: serve, with the options given at the top level.
        return new ServeCommand(options).call();
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        Main main = new Main();
        CommandLine cli = new CommandLine(main);
        cli.setParameterExceptionHandler((e, a) -> {
            PrintWriter err = e.getCommandLine().getErr();
            String hint = "";
            if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
                hint = " (did you mean " + String.join(" or ", u.getSuggestions()) + "?)";
            }
            err.println("switchboard: " + e.getMessage() + hint + " (see switchboard --help)");
            err.flush();
            return EXIT_USAGE;
        });
        return cli.execute(args);
    }

    /** The version from the jar manifest when packaged. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"Switchboard " + text()};
        }

        static String text() {
            String v = Main.class.getPackage().getImplementationVersion();
            return v == null ? "0.1.0-SNAPSHOT" : v;
        }
    }
}
