package dev.switchboard.socketio.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.switchboard.core.cluster.LoopbackHub;
import dev.switchboard.core.node.NodeConfig;
import dev.switchboard.engineio.EngineIoConfig;
import dev.switchboard.node.ComponentStatus;
import dev.switchboard.node.SwitchboardNode;
import dev.switchboard.socketio.AckTimeoutException;
import dev.switchboard.socketio.BroadcastOperator.BroadcastAcks;
import dev.switchboard.socketio.RemoteSocket;
import dev.switchboard.socketio.SocketIoConfig;
import dev.switchboard.socketio.SocketIoServer;
import dev.switchboard.testkit.LeakDetectorExtension;
import dev.switchboard.transport.TransportConfig;
import io.socket.client.Ack;
import io.socket.client.IO;
import io.socket.engineio.client.transports.WebSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Three nodes in one JVM over the loopback backplane, each a {@link SwitchboardNode} (the backplane
 * supervised, in its health) with a Socket.IO server on its own port, and an official Java client
 * connected to each. What one node does reaches the sockets of all: broadcasts, fetchSockets,
 * broadcasts with acks, socketsJoin; {@code local()} stays on its node; serverSideEmit reaches the other
 * servers and collects their answers; a node that is gone is not waited for.
 */
@ExtendWith(LeakDetectorExtension.class)
class ThreeNodeClusterTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private final LoopbackHub hub = new LoopbackHub();
    private final List<Node> nodes = new ArrayList<>();

    /** One node: its SwitchboardNode, its Socket.IO server, and the client connected to it. */
    final class Node {
        final String id;
        final SwitchboardNode node;
        final SocketIoServer sio;
        final String url;
        io.socket.client.Socket client;
        final BlockingQueue<String> received = new LinkedBlockingQueue<>();

        Node(String id) throws Exception {
            this.id = id;
            node = SwitchboardNode.start(NodeConfig.builder().name("cluster-test").nodeId(id)
                    .backplane(hub.backplane()).build());
            SocketIoConfig config = SocketIoConfig.builder()
                    .engine(EngineIoConfig.builder().path(SocketIoConfig.DEFAULT_PATH).build())
                    .transport(TransportConfig.builder().host("127.0.0.1").port(0).build())
                    .build();
            sio = SocketIoServer.create(config, node.router(), node.handlers());
            sio.on("connection", socket -> {
                socket.join("all");
                socket.data().put("node", id);
            });
            sio.sockets().onServerSideEmit("ping", (args, ack) -> ack.send("pong from " + id + " to " + args.get(0)));
            url = "http://127.0.0.1:" + sio.start().toCompletableFuture().get(10, TimeUnit.SECONDS).getPort();
        }

        /** Connects the official client; every "news" / "local-only" / "marker" event it gets is recorded. */
        void connectClient() throws Exception {
            IO.Options options = IO.Options.builder().setForceNew(true).setReconnection(false)
                    .setTransports(new String[] {WebSocket.NAME}).build();
            client = IO.socket(URI.create(url), options);
            for (String event : List.of("news", "local-only", "marker")) {
                client.on(event, args -> received.add(event + ":" + args[0]));
            }
            client.on("question", args -> ((Ack) args[args.length - 1]).call("answer from client of " + id));
            BlockingQueue<Boolean> connected = new LinkedBlockingQueue<>();
            client.on(io.socket.client.Socket.EVENT_CONNECT, a -> connected.add(true));
            client.connect();
            assertThat(connected.poll(10, TimeUnit.SECONDS)).as("client of " + id + " connected").isNotNull();
            await().atMost(WAIT).until(() -> sio.sockets().fetchSockets().size() == 1
                    && sio.sockets().fetchSockets().get(0).rooms().contains("all"));
        }

        void close() throws Exception {
            if (client != null) {
                client.close();
            }
            sio.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
            node.close();
        }
    }

    @BeforeEach
    void startThreeNodes() throws Exception {
        for (String id : List.of("node-a", "node-b", "node-c")) {
            nodes.add(new Node(id));
        }
        await().atMost(WAIT).until(() -> hub.nodes().size() == 3);
        for (Node n : nodes) {
            await().atMost(WAIT).until(() -> n.node.health().component(SwitchboardNode.BACKPLANE)
                    .map(s -> s.state() == ComponentStatus.State.UP).orElse(false));
            n.connectClient();
        }
    }

    @AfterEach
    void stopNodes() throws Exception {
        for (Node n : nodes) {
            n.close();
        }
    }

    private Node node(int i) {
        return nodes.get(i);
    }

    @Test
    void aBroadcastOnOneNodeReachesSocketsOnAllAndLocalStaysLocal() throws Exception {
        node(0).sio.to("all").emit("news", "hello cluster");
        for (Node n : nodes) {
            assertThat(n.received.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).as(n.id).isEqualTo("news:hello cluster");
        }

        // local(): node b's client only. The marker that follows it is not local, so once the other nodes'
        // clients got the marker, they would have got the local event before it (in order per publisher).
        node(1).sio.to("all").local().emit("local-only", "b only");
        node(1).sio.to("all").emit("marker", "after");
        assertThat(node(1).received.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("local-only:b only");
        for (Node n : nodes) {
            assertThat(n.received.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).as(n.id).isEqualTo("marker:after");
            assertThat(n.received).isEmpty();
        }
    }

    @Test
    void fetchSocketsAndBroadcastWithAckCountTheSocketsOfEveryNode() throws Exception {
        List<RemoteSocket> sockets = node(0).sio.sockets().fetchAllSockets().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(sockets).extracting(RemoteSocket::nodeId).containsExactlyInAnyOrder("node-a", "node-b", "node-c");
        assertThat(sockets).allSatisfy(s -> assertThat(s.rooms()).contains("all", s.id()));
        assertThat(sockets).extracting(s -> s.data().get("node")).containsExactlyInAnyOrder("node-a", "node-b", "node-c");
        assertThat(node(0).sio.sockets().local().fetchAllSockets().get(WAIT.toSeconds(), TimeUnit.SECONDS))
                .extracting(RemoteSocket::nodeId).containsExactly("node-a");

        BroadcastAcks acks = node(2).sio.sockets().timeout(WAIT).emitWithAck("question", "?")
                .get(WAIT.toSeconds() + 5, TimeUnit.SECONDS);
        assertThat(acks.expected()).isEqualTo(3);
        assertThat(acks.responses()).containsExactlyInAnyOrder("answer from client of node-a",
                "answer from client of node-b", "answer from client of node-c");

        BroadcastAcks localAcks = node(2).sio.sockets().local().timeout(WAIT).emitWithAck("question", "?")
                .get(WAIT.toSeconds() + 5, TimeUnit.SECONDS);
        assertThat(localAcks.responses()).containsExactly("answer from client of node-c");
    }

    @Test
    void socketsJoinAndDisconnectSocketsReachEveryNode() throws Exception {
        String bSocket = node(1).sio.sockets().fetchSockets().get(0).id();
        // The socket's own id is a room: node a makes node b's socket join "vip".
        node(0).sio.in(bSocket).socketsJoin("vip");
        await().atMost(WAIT).until(() -> node(1).sio.sockets().fetchSockets().get(0).rooms().contains("vip"));
        node(2).sio.to("vip").emit("news", "vip only");
        assertThat(node(1).received.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("news:vip only");

        node(0).sio.in("vip").disconnectSockets(true);
        await().atMost(WAIT).until(() -> node(1).sio.sockets().fetchSockets().isEmpty());
        assertThat(node(0).sio.sockets().fetchSockets()).hasSize(1);
        assertThat(node(2).sio.sockets().fetchSockets()).hasSize(1);
    }

    @Test
    void serverSideEmitReachesTheOtherServersAndCollectsTheirAnswers() throws Exception {
        List<Object> answers = node(0).sio.sockets().serverSideEmitWithAck(WAIT, "ping", "a")
                .get(WAIT.toSeconds() + 5, TimeUnit.SECONDS);
        assertThat(answers).containsExactlyInAnyOrder("pong from node-b to a", "pong from node-c to a");

        BlockingQueue<Map<String, Object>> heard = new LinkedBlockingQueue<>();
        node(2).sio.sockets().onServerSideEmit("hello", (args, ack) -> heard.add(Map.of("args", args)));
        node(1).sio.sockets().serverSideEmit("hello", 1, "two");
        assertThat(heard.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(Map.of("args", List.of(1, "two")));
    }

    @Test
    void aNodeThatIsGoneIsNotWaitedFor() throws Exception {
        Node c = nodes.remove(2);
        c.close();
        await().atMost(WAIT).until(() -> hub.nodes().size() == 2);

        BroadcastAcks acks = node(0).sio.sockets().timeout(WAIT).emitWithAck("question", "?")
                .get(WAIT.toSeconds() + 5, TimeUnit.SECONDS);
        assertThat(acks.expected()).isEqualTo(2);
        assertThat(node(0).sio.sockets().fetchAllSockets().get(WAIT.toSeconds(), TimeUnit.SECONDS)).hasSize(2);
        List<Object> answers = node(0).sio.sockets().serverSideEmitWithAck(WAIT, "ping", "a")
                .get(WAIT.toSeconds() + 5, TimeUnit.SECONDS);
        assertThat(answers).containsExactly("pong from node-b to a");
    }

    @Test
    void aServerThatDoesNotAnswerEndsTheWaitAtTheTimeoutWithWhatCame() throws Exception {
        // Node b's listener never acknowledges: the requester gets node c's answer and a timeout.
        node(1).sio.sockets().onServerSideEmit("slow", (args, ack) -> { });
        node(2).sio.sockets().onServerSideEmit("slow", (args, ack) -> ack.send("c answered"));
        assertThatThrownBy(() -> node(0).sio.sockets().serverSideEmitWithAck(Duration.ofSeconds(2), "slow")
                .get(WAIT.toSeconds(), TimeUnit.SECONDS))
                .hasCauseInstanceOf(AckTimeoutException.class)
                .satisfies(e -> assertThat(((AckTimeoutException) e.getCause()).partialResponses())
                        .containsExactly("c answered"));
    }

    @Test
    void theBackplaneIsSupervisedAndRestartsAfterAFailure() throws Exception {
        hub.breakConnection("node-b");
        await().atMost(WAIT).until(() -> node(1).node.health().component(SwitchboardNode.BACKPLANE)
                .map(s -> s.failures() == 1 && s.state() == ComponentStatus.State.UP).orElse(false));
        await().atMost(WAIT).until(() -> hub.nodes().size() == 3);
        assertThat(node(1).node.health().isReady()).isTrue();
        node(0).sio.to("all").emit("news", "after the restart");
        for (Node n : nodes) {
            assertThat(n.received.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).as(n.id).isEqualTo("news:after the restart");
        }
    }
}
