package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user sees when the configuration or the machine is wrong: one line on standard error naming
 * the cause, and a non-zero exit (2 for configuration, 1 for a start that failed), never a stack trace.
 */
class BadConfigurationIT {

    @TempDir
    Path dir;

    private LaunchedServer run(Map<String, String> env, String... args) throws Exception {
        LaunchedServer server = LaunchedServer.start(dir, env, args);
        server.awaitExit(Duration.ofSeconds(60));
        return server;
    }

    private static void assertOneLine(LaunchedServer s, int exitCode, String... fragments) throws Exception {
        assertThat(s.process.exitValue()).as(s.transcript()).isEqualTo(exitCode);
        assertThat(s.err()).as(s.transcript()).hasSize(1);
        assertThat(s.err().get(0)).startsWith("switchboard: ").contains(fragments);
        assertThat(String.join("\n", s.out()) + String.join("\n", s.err())).doesNotContain("\tat ", "Exception in thread");
    }

    @Test
    void aTypoInTheConfigFile() throws Exception {
        Path conf = dir.resolve("switchboard.conf");
        Files.writeString(conf, "switchboard {\n  http {\n    prot = 9000\n  }\n}\n");
        LaunchedServer s = run(Map.of(), "--config", conf.toString(), "--data", dir.resolve("data").toString());
        assertOneLine(s, 2, "configuration error", "switchboard.http.prot", "line 3", "unknown key",
                "did you mean switchboard.http.port?");
    }

    @Test
    void anUnknownStore() throws Exception {
        LaunchedServer s = run(Map.of("SWITCHBOARD_STORE", "rabbitmq"), "--data", dir.resolve("data").toString());
        assertOneLine(s, 2, "configuration error", "switchboard.store", "unknown store \"rabbitmq\" (known: embedded, kafka)");
    }

    @Test
    void aWrongTypeInTheEnvironment() throws Exception {
        LaunchedServer s = run(Map.of("SWITCHBOARD_HTTP_PORT", "eighty"), "--data", dir.resolve("data").toString());
        assertOneLine(s, 2, "switchboard.http.port", "environment variable SWITCHBOARD_HTTP_PORT",
                "expected a whole number, found \"eighty\"");
    }

    @Test
    void aPortInUse() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            LaunchedServer s = run(Map.of(), "--port", Integer.toString(taken.getLocalPort()),
                    "--data", dir.resolve("data").toString());
            assertOneLine(s, 1, "cannot start", "127.0.0.1:" + taken.getLocalPort(), "address already in use");
        }
    }

    @Test
    void aDataDirectoryThatIsNotADirectory() throws Exception {
        // Tests run as root in CI, for whom permission bits do not make a directory unreadable; a regular
        // file where the directory should be (or above it) is unusable for everyone.
        Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
        LaunchedServer s = run(Map.of(), "--port", "0", "--data", file.toString());
        assertOneLine(s, 1, "cannot start", "data directory " + file, "not a directory");

        LaunchedServer nested = run(Map.of(), "--port", "0", "--data", file.resolve("below").toString());
        assertOneLine(nested, 1, "cannot start", "data directory " + file.resolve("below"), "cannot create it");
    }

    @Test
    void aDataDirectoryInUseByAnotherServer() throws Exception {
        Path data = dir.resolve("shared");
        try (LaunchedServer first = LaunchedServer.start(dir, Map.of(), "--port", "0", "--data", data.toString())) {
            first.awaitListening(LaunchedServer.STARTUP);
            LaunchedServer second = run(Map.of(), "--port", "0", "--data", data.toString());
            assertOneLine(second, 1, "cannot start", "in use by another Switchboard server");
            first.sigterm();
            assertThat(first.awaitExit(Duration.ofSeconds(30))).isZero();
        }
    }
}
