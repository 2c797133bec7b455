package dev.switchboard.server.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.core.cluster.LoopbackHub;
import dev.switchboard.core.node.NodeConfig;
import dev.switchboard.engineio.EngineIoConfig;
import dev.switchboard.node.ComponentStatus;
import dev.switchboard.node.SwitchboardNode;
import dev.switchboard.server.durable.DurableClient;
import dev.switchboard.socketio.RecoveryConfig;
import dev.switchboard.socketio.SocketIoConfig;
import dev.switchboard.socketio.SocketIoServer;
import dev.switchboard.testkit.LeakDetectorExtension;
import dev.switchboard.transport.TransportConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Connection state recovery across nodes: two nodes in one JVM over the loopback backplane, each a
 * {@link SwitchboardNode} with a Socket.IO server that has recovery on (the in-memory backend). The
 * official client of node B loses its transport; node A publishes while it is away; when the client
 * reconnects to B with its last offset it is recovered and gets, in order, what A published — because
 * offsets are message ids, the same on every node, and B kept A's events as they arrived.
 */
@ExtendWith(LeakDetectorExtension.class)
class ClusterRecoveryTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private final LoopbackHub hub = new LoopbackHub();
    private final List<AutoCloseable> open = new ArrayList<>();

    private record Node(SwitchboardNode node, SocketIoServer sio, String url) {}

    private Node node(String id) throws Exception {
        SwitchboardNode node = SwitchboardNode.start(NodeConfig.builder().name("recovery-test").nodeId(id)
                .backplane(hub.backplane()).build());
        open.add(node);
        SocketIoConfig config = SocketIoConfig.builder()
                .engine(EngineIoConfig.builder().path(SocketIoConfig.DEFAULT_PATH).build())
                .transport(TransportConfig.builder().host("127.0.0.1").port(0).build())
                .recovery(RecoveryConfig.defaults())
                .build();
        SocketIoServer sio = SocketIoServer.create(config, node.router(), node.handlers());
        sio.on("connection", socket -> {
            if (!socket.recovered()) {
                socket.join("news");
            }
        });
        String url = "http://127.0.0.1:" + sio.start().toCompletableFuture().get(10, TimeUnit.SECONDS).getPort();
        open.add(0, () -> sio.close().toCompletableFuture().get(10, TimeUnit.SECONDS));
        await().atMost(WAIT).until(() -> node.health().component(SwitchboardNode.BACKPLANE)
                .map(s -> s.state() == ComponentStatus.State.UP).orElse(false));
        return new Node(node, sio, url);
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    @Test
    void aClientOfNodeBRecoversWhatNodeAPublishedWhileItWasAway() throws Exception {
        Node a = node("node-a");
        Node b = node("node-b");
        await().atMost(WAIT).until(() -> hub.nodes().size() == 2);

        DurableClient client = new DurableClient(b.url(), "{}", true);
        open.add(0, client);
        JsonNode connected = client.awaitConnect(0);
        assertThat(connected.path("recovered").asBoolean()).isFalse();
        await().atMost(WAIT).until(() -> b.sio().sockets().sockets().size() == 1
                && b.sio().sockets().sockets().values().iterator().next().rooms().contains("news"));

        int mark = client.mark();
        a.sio().to("news").emit("news", "seen");
        JsonNode seen = client.awaitEvent(mark, "news");
        assertThat(seen.path("args").get(0).asText()).isEqualTo("seen");
        assertThat(seen.path("args").size()).as("the event carries its offset as last argument").isEqualTo(2);

        client.command("{\"cmd\":\"drop\"}");
        await().atMost(WAIT).until(() -> b.sio().sockets().sockets().isEmpty());
        a.sio().to("news").emit("news", "missed-1");
        a.sio().to("elsewhere").emit("news", "not for it");
        b.sio().to("news").emit("news", "missed-2");
        a.sio().to("news").emit("news", "missed-3", new byte[] {1, 2, 3});

        int back = client.mark();
        client.command("{\"cmd\":\"connect\"}");
        JsonNode again = client.awaitConnect(back);
        assertThat(again.path("recovered").asBoolean()).as("recovered on node B").isTrue();
        assertThat(again.path("id").asText()).isEqualTo(connected.path("id").asText());
        client.await("three missed events", back, l -> client.events(back, "news").size() >= 3);
        List<JsonNode> missed = client.events(back, "news");
        List<String> names = missed.stream().map(e -> e.path("args").get(0).asText()).toList();
        // Each once; in order per publishing node (A's missed-1 before its missed-3). B's own missed-2 may fall
        // anywhere between: A's events reach B over the backplane while B publishes, as with any cluster adapter.
        assertThat(names).containsExactlyInAnyOrder("missed-1", "missed-2", "missed-3");
        assertThat(names.indexOf("missed-1")).isLessThan(names.indexOf("missed-3"));
        // A Node Buffer in the client's JSON report: the binary argument came back as binary, not as a placeholder.
        assertThat(missed.get(names.indexOf("missed-3")).path("args").get(1).toString())
                .isEqualTo("{\"type\":\"Buffer\",\"data\":[1,2,3]}");

        // Still in its room after the recovery: a live event from A arrives.
        int live = client.mark();
        a.sio().to("news").emit("news", "live");
        assertThat(client.awaitEvent(live, "news").path("args").get(0).asText()).isEqualTo("live");
    }
}
