package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release as an operator deploys it: {@code target/switchboard-<version>.tar.gz} unpacked with tar,
 * started with its own {@code bin/switchboard} under a PATH that holds only the shell tools the launcher
 * uses (no Maven, no Node; Java through {@code JAVA}), reached by the official socket.io-client, and
 * stopped with SIGTERM.
 */
class ReleaseArchiveIT {

    /** Everything bin/switchboard may call; a call to anything else (mvn, npm, node) fails the start. */
    private static final List<String> SHELL_TOOLS = List.of("env", "bash", "dirname", "mktemp", "rm", "mv");

    @TempDir
    Path dir;

    @Test
    void theUnpackedReleaseServesSocketIoAndStopsCleanly() throws Exception {
        Path archive = archive();
        Path home = unpack(archive);

        assertThat(home.resolve("bin/switchboard")).isExecutable();
        assertThat(home.resolve("conf/switchboard.conf")).content().contains("switchboard {", "# admin-ui {");
        assertThat(home.resolve("conf/switchboard.service")).content().contains("ExecStart=/opt/switchboard/bin/switchboard");
        assertThat(home.resolve("docs/README.md")).exists();
        assertThat(home.resolve("docs/switchboard-reference.conf")).exists();
        try (Stream<Path> lib = Files.list(home.resolve("lib"))) {
            assertThat(lib.map(p -> p.getFileName().toString()))
                    .anyMatch(n -> n.startsWith("switchboard-server-") && n.endsWith(".jar"))
                    .anyMatch(n -> n.startsWith("netty-"))
                    .noneMatch(n -> n.contains("junit") || n.contains("testkit"));
        }
        assertThat(home.resolve("switchboard.jsa")).doesNotExist();

        Map<String, String> env = Map.of(
                "PATH", toolsOnly().toString(),
                "JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try (LaunchedServer server = LaunchedServer.start(home.resolve("bin/switchboard"), dir, env,
                "--port", "0", "--data", dir.resolve("data").toString())) {
            // The first start makes the class-data-sharing archive before it serves.
            String base = server.awaitListening(Duration.ofSeconds(120));
            server.awaitReady(base, http);
            assertThat(home.resolve("switchboard.jsa")).isNotEmptyFile();
            assertThat(server.out()).anyMatch(l -> l.contains("config " + home.resolve("conf/switchboard.conf")));

            try (NodeClient client = new NodeClient(base, "/", "operator")) {
                assertThat(client.awaitConnected()).isNotEmpty();
                server.sigterm();
                assertThat(client.awaitDisconnect()).isEqualTo("io server disconnect");
            }
            assertThat(server.awaitExit(Duration.ofSeconds(30))).as(server.transcript()).isZero();
            assertThat(server.out()).anyMatch(l -> l.contains("stopped in"));
            assertThat(server.err()).as(server.transcript()).isEmpty();
        }
    }

    private static Path archive() throws IOException {
        try (Stream<Path> target = Files.list(Path.of("target"))) {
            return target.filter(p -> p.getFileName().toString().matches("switchboard-.+\\.tar\\.gz"))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no target/switchboard-<version>.tar.gz: run mvn package"));
        }
    }

    private Path unpack(Path archive) throws Exception {
        Path into = Files.createDirectories(dir.resolve("opt"));
        Process tar = new ProcessBuilder("tar", "-xzf", archive.toAbsolutePath().toString(), "-C", into.toString())
                .inheritIO().start();
        assertThat(tar.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(tar.exitValue()).isZero();
        String name = archive.getFileName().toString();
        return into.resolve(name.substring(0, name.length() - ".tar.gz".length()));
    }

    /** A directory of links to the launcher's shell tools: the PATH of the started server. */
    private Path toolsOnly() throws IOException {
        Path bin = Files.createDirectories(dir.resolve("path"));
        for (String tool : SHELL_TOOLS) {
            Path real = Stream.of("/usr/bin", "/bin").map(d -> Path.of(d, tool)).filter(Files::isExecutable)
                    .findFirst().orElseThrow(() -> new AssertionError("no " + tool + " on this machine"));
            Files.createSymbolicLink(bin.resolve(tool), real);
        }
        return bin;
    }
}
