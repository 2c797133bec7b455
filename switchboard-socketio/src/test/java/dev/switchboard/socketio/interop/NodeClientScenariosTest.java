package dev.switchboard.socketio.interop;

import dev.switchboard.testkit.LeakDetectorExtension;
import dev.switchboard.testkit.NodePeers;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The official socket.io-client 4.8 (Node) runs {@code src/test/js/scenarios.test.cjs} against our echo
 * server and against the official Node server (the oracle), over WebSocket only, polling only, and
 * polling upgraded to WebSocket. The script asserts the same observations for both servers.
 */
@ExtendWith(LeakDetectorExtension.class)
class NodeClientScenariosTest {

    static Stream<Arguments> cases() {
        return Stream.of(EchoServers.values()).flatMap(server ->
                Stream.of("websocket", "polling", "upgrade").map(t -> Arguments.of(server, t)));
    }

    @ParameterizedTest(name = "{0} over {1}")
    @MethodSource("cases")
    void scenarios(EchoServers server, String transport) throws Exception {
        try (EchoServers.Running running = server.start(false)) {
            NodePeers.test(EchoServers.JS.resolve("scenarios.test.cjs"),
                    Map.of("SIO_URL", running.url(), "SIO_TRANSPORT", transport), Duration.ofSeconds(120),
                    // every scenario but connection state recovery, which needs a server with it on
                    NodePeers.Expected.passed(10).skipping(1))
                    .assertSucceeded();
        }
    }

    @ParameterizedTest(name = "{0} over {1}")
    @MethodSource("cases")
    void features(EchoServers server, String transport) throws Exception {
        try (EchoServers.Running running = server.start(EchoServers.Kind.FEATURES)) {
            NodePeers.test(EchoServers.JS.resolve("features.test.cjs"),
                    Map.of("SIO_URL", running.url(), "SIO_TRANSPORT", transport), Duration.ofSeconds(120),
                    NodePeers.Expected.passed(8))
                    .assertSucceeded();
        }
    }

    @ParameterizedTest(name = "{0} over {1}")
    @MethodSource("cases")
    void connectionStateRecovery(EchoServers server, String transport) throws Exception {
        try (EchoServers.Running running = server.start(true)) {
            // The name pattern skips the other nine scenarios; the recovery one must really run and pass.
            NodePeers.test(EchoServers.JS.resolve("scenarios.test.cjs"),
                    Map.of("SIO_URL", running.url(), "SIO_TRANSPORT", transport, "SIO_RECOVERY", "1"),
                    Duration.ofSeconds(120), NodePeers.Expected.passed(2).skipping(9),
                    "--test-name-pattern=recovery|connect with auth")
                    .assertSucceeded();
        }
    }
}
