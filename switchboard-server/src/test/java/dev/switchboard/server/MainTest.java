package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The command line in-process: help, usage errors, configuration errors (no server is started). */
class MainTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream oldOut;
    private PrintStream oldErr;

    @BeforeEach
    void capture() {
        oldOut = System.out;
        oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(oldOut);
        System.setErr(oldErr);
    }

    @Test
    void helpListsCommandsAndOptions() {
        assertThat(Main.run(new String[] {"--help"})).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("serve", "echo", "--port", "--data", "--config", "--token", "-D", "--check",
                        "8080", "switchboard-reference.conf");
    }

    @Test
    void anUnknownOptionIsAUsageError() {
        assertThat(Main.run(new String[] {"--prot", "80"})).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8).strip()).startsWith("switchboard: Unknown options: '--prot', '80'").endsWith("(see switchboard --help)")
                .doesNotContain("\n");
    }

    @Test
    void aBadConfigurationKeyIsOneLineAndExitCode2() {
        assertThat(Main.run(new String[] {"-D", "http.prot=80"})).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8).strip()).isEqualTo(
                "switchboard: configuration error: switchboard.http.prot (command line): unknown key"
                        + " (did you mean switchboard.http.port?)");
    }

    @Test
    void serveTakesTheSameOptions() {
        assertThat(Main.run(new String[] {"serve", "--port", "99999"})).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("switchboard.http.port (command line): must be between 0 and 65535, found 99999");
    }
}
