package dev.switchboard.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    private final ConfigLoader loader = new ConfigLoader();

    @TempDir
    Path dir;

    private Path file(String text) throws IOException {
        Path f = dir.resolve("switchboard.conf");
        Files.writeString(f, text);
        return f;
    }

    @Test
    void defaultsAreTheDocumentedOnes() throws Exception {
        ServerConfig c = loader.load(Optional.empty(), Map.of(), Map.of());
        assertThat(c.http().port()).isEqualTo(8080);
        assertThat(c.http().host()).isEqualTo("127.0.0.1");
        assertThat(c.dataDir()).isEqualTo(Path.of("data").toAbsolutePath());
        assertThat(c.socketIo().path()).isEqualTo("/socket.io/");
        assertThat(c.socketIo().pingInterval()).isEqualTo(Duration.ofSeconds(25));
        assertThat(c.socketIo().pingTimeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(c.socketIo().maxPayload()).isEqualTo(1_000_000);
        assertThat(c.socketIo().connectTimeout()).isEqualTo(Duration.ofSeconds(45));
        assertThat(c.socketIo().recovery()).isEqualTo(Duration.ZERO);
        assertThat(c.api().tokenRequired()).isFalse();
        assertThat(c.source()).isEqualTo("defaults");
    }

    @Test
    void compressionIsAsSocketIoByDefaultAndSetFromTheEnvironment() throws Exception {
        ServerConfig d = loader.load(Optional.empty(), Map.of(), Map.of());
        assertThat(d.socketIo().perMessageDeflate()).isFalse();
        assertThat(d.socketIo().perMessageDeflateThreshold()).isEqualTo(1024);
        assertThat(d.socketIo().httpCompression()).isTrue();
        assertThat(d.socketIo().httpCompressionThreshold()).isEqualTo(1024);
        ServerConfig c = loader.load(Optional.empty(), Map.of("SWITCHBOARD_SOCKETIO_PER_MESSAGE_DEFLATE", "true",
                "SWITCHBOARD_SOCKETIO_PER_MESSAGE_DEFLATE_THRESHOLD", "512",
                "SWITCHBOARD_SOCKETIO_HTTP_COMPRESSION", "false"), Map.of());
        assertThat(c.socketIo().perMessageDeflate()).isTrue();
        assertThat(c.socketIo().perMessageDeflateThreshold()).isEqualTo(512);
        assertThat(c.socketIo().httpCompression()).isFalse();
        assertThatThrownBy(() -> loader.load(Optional.empty(), Map.of(),
                Map.of("switchboard.socketio.http-compression-threshold", -1)))
                .hasMessageContaining("switchboard.socketio.http-compression-threshold");
    }

    @Test
    void flagsBeatEnvironmentWhichBeatsTheFile() throws Exception {
        Path f = file("switchboard { http.port = 9001, socketio.ping-interval = 10s, data-dir = \"/tmp/from-file\" }");
        ServerConfig c = loader.load(Optional.of(f),
                Map.of("SWITCHBOARD_HTTP_PORT", "9002", "SWITCHBOARD_SOCKETIO_PING_INTERVAL", "5s",
                        "SWITCHBOARD_HTTP_CORS_ORIGINS", "https://a.example, https://b.example", "PATH", "/bin"),
                Map.of("switchboard.http.port", 9003));
        assertThat(c.http().port()).isEqualTo(9003);
        assertThat(c.socketIo().pingInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.dataDir()).isEqualTo(Path.of("/tmp/from-file"));
        assertThat(c.http().corsOrigins()).containsExactly("https://a.example", "https://b.example");
        assertThat(c.source()).isEqualTo(f.toAbsolutePath().toString());
    }

    @Test
    void optionalSubstitutionsFromTheEnvironmentWork() throws Exception {
        Path f = file("switchboard {\n  api.token = ${?SWITCHBOARD_TEST_SURELY_UNSET_4711}\n  http.port = ${?SWITCHBOARD_TEST_UNSET_PORT}\n"
                + "  socketio.ping-timeout = ${switchboard.socketio.ping-interval}\n}\n");
        ServerConfig c = loader.load(Optional.of(f), Map.of(), Map.of());
        assertThat(c.api().token()).isEmpty();
        assertThat(c.http().port()).isEqualTo(8080);
        assertThat(c.socketIo().pingTimeout()).isEqualTo(Duration.ofSeconds(25));
    }

    @Test
    void aTypoInTheFileIsRefusedWithTheKeyTheLineAndASuggestion() throws Exception {
        Path f = file("switchboard {\n  http {\n    prot = 9000\n  }\n}\n");
        assertThatThrownBy(() -> loader.load(Optional.of(f), Map.of(), Map.of()))
                .isInstanceOf(ConfigProblem.class)
                .hasMessage("switchboard.http.prot (" + f + " line 3): unknown key (did you mean switchboard.http.port?)");
    }

    @Test
    void theStoreIsEmbeddedByDefaultAndAnUnknownOneIsRefused() throws Exception {
        assertThat(loader.load(Optional.empty(), Map.of(), Map.of()).durable().store()).isEqualTo("embedded");
        Path f = file("switchboard.store = rabbitmq\n");
        assertThatThrownBy(() -> loader.load(Optional.of(f), Map.of(), Map.of()))
                .isInstanceOf(ConfigProblem.class)
                .hasMessageContaining("switchboard.store")
                .hasMessageContaining("unknown store \"rabbitmq\" (known: embedded, kafka)");
    }

    @Test
    void theKafkaStoreNeedsBootstrapServers() throws Exception {
        Path none = file("switchboard.store = kafka\n");
        assertThatThrownBy(() -> loader.load(Optional.of(none), Map.of(), Map.of()))
                .isInstanceOf(ConfigProblem.class)
                .hasMessageContaining("switchboard.kafka.bootstrap-servers")
                .hasMessageContaining("host:port");
        Path two = file("switchboard.store = kafka\nswitchboard.kafka.bootstrap-servers = \"a:9092,b:9093\"\n");
        ServerConfig c = loader.load(Optional.of(two), Map.of(), Map.of());
        assertThat(c.durable().store()).isEqualTo("kafka");
        assertThat(c.kafka().bootstrapServers()).isEqualTo("a:9092,b:9093");
        assertThat(c.kafka().topic()).isEqualTo("switchboard.streams");
    }

    @Test
    void theClusterIsOffByDefaultAndItsSeedsComeAsOneCommaSeparatedValue() throws Exception {
        assertThat(loader.load(Optional.empty(), Map.of(), Map.of()).cluster().enabled()).isFalse();
        ServerConfig c = loader.load(Optional.empty(), Map.of("SWITCHBOARD_CLUSTER_SEED_NODES", "10.0.0.1:2551, 10.0.0.2:2551"),
                Map.of("switchboard.cluster.enabled", "true", "switchboard.cluster.port", "2552"));
        assertThat(c.cluster().enabled()).isTrue();
        assertThat(c.cluster().port()).isEqualTo(2552);
        assertThat(c.cluster().seedNodes()).containsExactly("10.0.0.1:2551", "10.0.0.2:2551");
        assertThat(c.cluster().stableAfter()).isEqualTo(Duration.ofSeconds(20));
    }

    @Test
    void aClusterNeedsSeedsOfTheFormHostPort() {
        assertThatThrownBy(() -> loader.load(Optional.empty(), Map.of(), Map.of("switchboard.cluster.enabled", "true")))
                .isInstanceOf(ConfigProblem.class).hasMessageContaining("switchboard.cluster.seed-nodes")
                .hasMessageContaining("at least one seed node");
        assertThatThrownBy(() -> loader.load(Optional.empty(), Map.of("SWITCHBOARD_CLUSTER_SEED_NODES", "10.0.0.1"),
                Map.of()))
                .isInstanceOf(ConfigProblem.class).hasMessageContaining("\"host:port\", found \"10.0.0.1\"");
    }

    @Test
    void anUnknownEmptyObjectIsRefusedToo() throws Exception {
        Path f = file("switchboard.socketio.recover { }");
        assertThatThrownBy(() -> loader.load(Optional.of(f), Map.of(), Map.of()))
                .hasMessageContaining("switchboard.socketio.recover (")
                .hasMessageContaining("unknown key");
    }

    @Test
    void aWrongTypeNamesKeyOriginAndValue() throws Exception {
        Path f = file("switchboard.http.port = \"eighty\"\n");
        assertThatThrownBy(() -> loader.load(Optional.of(f), Map.of(), Map.of()))
                .hasMessage("switchboard.http.port (" + f + " line 1): expected a whole number, found \"eighty\"");
    }

    @Test
    void aWrongTypeFromTheEnvironmentNamesTheVariable() {
        assertThatThrownBy(() -> loader.load(Optional.empty(), Map.of("SWITCHBOARD_SOCKETIO_PING_TIMEOUT", "soon"), Map.of()))
                .hasMessage("switchboard.socketio.ping-timeout (environment variable SWITCHBOARD_SOCKETIO_PING_TIMEOUT): "
                        + "expected a duration such as 500ms, 25s or 2m, found \"soon\"");
    }

    @Test
    void anUnknownEnvironmentVariableIsRefused() {
        assertThatThrownBy(() -> loader.load(Optional.empty(), Map.of("SWITCHBOARD_HTTP_PROT", "1"), Map.of()))
                .hasMessage("environment variable SWITCHBOARD_HTTP_PROT: unknown key (did you mean SWITCHBOARD_HTTP_PORT?)");
    }

    @Test
    void outOfRangeAndBadPathsAreRefused() {
        assertThatThrownBy(() -> loader.load(Optional.empty(), Map.of(), Map.of("switchboard.http.port", 70000)))
                .hasMessage("switchboard.http.port (command line): must be between 0 and 65535, found 70000");
        assertThatThrownBy(() -> loader.load(Optional.empty(), Map.of(), Map.of("switchboard.socketio.path", "socket")))
                .hasMessageContaining("must start and end with '/'");
        assertThatThrownBy(() -> loader.load(Optional.empty(), Map.of(), Map.of("switchboard.http.prt", "1")))
                .hasMessage("switchboard.http.prt (command line): unknown key (did you mean switchboard.http.port?)");
    }

    @Test
    void aLeafWhereAnObjectBelongsIsRefused() throws Exception {
        Path f = file("switchboard.http = 8080");
        assertThatThrownBy(() -> loader.load(Optional.of(f), Map.of(), Map.of()))
                .hasMessage("switchboard.http (" + f + " line 1): expected an object, found 8080");
    }

    @Test
    void tlsNeedsReadableFiles() {
        assertThatThrownBy(() -> loader.load(Optional.empty(), Map.of(),
                Map.of("switchboard.http.tls.enabled", "true")))
                .hasMessageContaining("switchboard.http.tls.cert-chain")
                .hasMessageContaining("required when switchboard.http.tls.enabled is true");
    }

    @Test
    void aMissingOrBrokenFileIsOneLine() throws Exception {
        assertThatThrownBy(() -> loader.load(Optional.of(dir.resolve("nope.conf")), Map.of(), Map.of()))
                .hasMessageContaining("nope.conf: not found or not readable");
        Path f = file("switchboard { http { port = 1 }\n");
        assertThatThrownBy(() -> loader.load(Optional.of(f), Map.of(), Map.of()))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").startsWith("config file " + f + ":"));
    }

    @Test
    void everyDocumentedKeyHasAnEnvironmentName() {
        List<String> names = loader.knownKeys().keySet().stream().map(ConfigLoader::envName).toList();
        assertThat(names).contains("SWITCHBOARD_HTTP_PORT", "SWITCHBOARD_DATA_DIR", "SWITCHBOARD_API_TOKEN",
                "SWITCHBOARD_SOCKETIO_MAX_PAYLOAD").doesNotHaveDuplicates();
    }
}
