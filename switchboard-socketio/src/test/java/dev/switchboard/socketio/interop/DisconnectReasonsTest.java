package dev.switchboard.socketio.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.engineio.EngineIoConfig;
import dev.switchboard.socketio.Socket;
import dev.switchboard.socketio.SocketIoConfig;
import dev.switchboard.socketio.SocketIoServer;
import dev.switchboard.testkit.LeakDetectorExtension;
import dev.switchboard.transport.TransportConfig;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The reason the server reports for each way a socket can go, with the official strings. */
@ExtendWith(LeakDetectorExtension.class)
class DisconnectReasonsTest {

    private SocketIoServer io;
    private int port;
    private final BlockingQueue<String> reasons = new LinkedBlockingQueue<>();
    private final Map<String, Socket> byTag = new ConcurrentHashMap<>();

    @BeforeEach
    void start() throws Exception {
        io = SocketIoServer.create(SocketIoConfig.builder()
                .engine(EngineIoConfig.builder().path(SocketIoConfig.DEFAULT_PATH)
                        .pingInterval(Duration.ofMillis(1000)).pingTimeout(Duration.ofMillis(1000)).build())
                .transport(TransportConfig.builder().host("127.0.0.1").port(0).build())
                .build());
        io.on("connection", socket -> {
            String tag = String.valueOf(socket.handshake().auth().get("tag"));
            byTag.put(tag, socket);
            socket.onDisconnecting(r -> reasons.add(tag + " disconnecting in " + socket.rooms().size() + " rooms"));
            socket.onDisconnect(r -> reasons.add(tag + ": " + r.text()));
        });
        port = io.start().toCompletableFuture().get(10, TimeUnit.SECONDS).getPort();
    }

    @AfterEach
    void stop() {
        io.close().toCompletableFuture().join();
    }

    private RawWebSocket connected(String tag) throws Exception {
        RawWebSocket raw = RawWebSocket.open(port);
        raw.send("40{\"tag\":\"" + tag + "\"}");
        assertThat(raw.next()).startsWith("40{\"sid\":");
        return raw;
    }

    private void expect(String tag, String reason) throws InterruptedException {
        assertThat(reasons.poll(15, TimeUnit.SECONDS)).isEqualTo(tag + " disconnecting in 1 rooms");
        assertThat(reasons.poll(15, TimeUnit.SECONDS)).isEqualTo(tag + ": " + reason);
    }

    @Test
    void clientNamespaceDisconnect() throws Exception {
        RawWebSocket raw = connected("a");
        raw.send("41");
        expect("a", "client namespace disconnect");
        assertThat(raw.closedWithin(200)).as("the connection stays").isFalse();
        raw.ws.abort();
    }

    @Test
    void transportClose() throws Exception {
        RawWebSocket raw = connected("b");
        raw.ws.sendClose(1000, "bye").join();
        expect("b", "transport close");
    }

    @Test
    void pingTimeout() throws Exception {
        RawWebSocket raw = connected("c");
        raw.answerPings = false;
        expect("c", "ping timeout");
        raw.ws.abort();
    }

    @Test
    void parseError() throws Exception {
        RawWebSocket raw = connected("d");
        raw.send("42[\"unterminated\"");
        expect("d", "parse error");
        assertThat(raw.closedWithin(15000)).isTrue();
    }

    @Test
    void serverNamespaceDisconnect() throws Exception {
        RawWebSocket raw = connected("e");
        byTag.get("e").disconnect(false);
        assertThat(raw.next()).isEqualTo("41");
        expect("e", "server namespace disconnect");
        raw.ws.abort();
    }

    @Test
    void forcedCloseOfTheEngineSession() throws Exception {
        RawWebSocket raw = connected("f");
        io.engine().sessions().forEach(session -> session.close());
        expect("f", "forced close");
        assertThat(raw.closedWithin(15000)).isTrue();
    }

    @Test
    void serverShuttingDown() throws Exception {
        RawWebSocket raw = connected("g");
        io.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
        expect("g", "server shutting down");
        assertThat(raw.closedWithin(15000)).isTrue();
    }
}
