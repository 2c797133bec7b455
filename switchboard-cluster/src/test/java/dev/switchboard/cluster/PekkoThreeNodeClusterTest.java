package dev.switchboard.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.typesafe.config.ConfigFactory;
import dev.switchboard.cluster.membership.ClusterView;
import dev.switchboard.cluster.presence.ClusterPresence;
import dev.switchboard.cluster.presence.NodePresence;
import dev.switchboard.core.node.NodeConfig;
import dev.switchboard.engineio.EngineIoConfig;
import dev.switchboard.node.ComponentStatus;
import dev.switchboard.node.SwitchboardNode;
import dev.switchboard.socketio.BroadcastOperator.BroadcastAcks;
import dev.switchboard.socketio.RemoteSocket;
import dev.switchboard.socketio.SocketIoConfig;
import dev.switchboard.socketio.SocketIoServer;
import dev.switchboard.testkit.LeakDetectorExtension;
import dev.switchboard.transport.TransportConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.socket.client.Ack;
import io.socket.client.IO;
import io.socket.engineio.client.transports.WebSocket;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Three cluster nodes in one JVM: three actor systems on loopback ports forming a Pekko cluster, the
 * fabric's backplane on {@code ClusterBackplane}, a Socket.IO server on each and an official Java
 * client connected to each. The behaviours of the in-JVM backplane's three-node test, over Artery:
 * broadcasts reach all, {@code local()} stays local, fetchSockets and broadcast acks count every node,
 * serverSideEmit collects the others' answers, and a node that leaves is no longer waited for.
 *
 * <p>One cluster for the class (forming one takes seconds); the node that leaves does so last.
 */
@ExtendWith(LeakDetectorExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PekkoThreeNodeClusterTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final List<Node> nodes = new ArrayList<>();

    final class Node {
        final String id;
        final SwitchboardNode node;
        final SwitchboardCluster cluster;
        final SocketIoServer sio;
        final ClusterPresence presence;
        final String url;
        io.socket.client.Socket client;
        final BlockingQueue<String> received = new LinkedBlockingQueue<>();

        Node(String id, int port, List<String> seeds) throws Exception {
            this.id = id;
            ClusterSettings settings = new ClusterSettings("127.0.0.1", port, seeds, Duration.ofSeconds(20));
            NodeConfig.Builder builder = SwitchboardCluster.configure(NodeConfig.builder(), "cluster-test", settings);
            // Three actor systems on a shared 2-core machine miss heartbeats by seconds: no node of this
            // test may count as unreachable for that (node loss is not what it tests).
            builder.pekko(ConfigFactory.parseString("pekko.cluster.failure-detector.acceptable-heartbeat-pause = 20s")
                    .withFallback(settings.pekko("cluster-test")));
            node = SwitchboardNode.start(builder.nodeId(id).build());
            cluster = SwitchboardCluster.attach(node, new SimpleMeterRegistry());
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
            presence = cluster.presence(() -> Map.of("/", sio.sockets().fetchSockets().stream()
                    .map(sock -> new NodePresence.SocketPresence(sock.id(), "", sock.rooms().stream()
                            .filter(r -> !r.equals(sock.id())).collect(Collectors.toSet()), "", "websocket", ""))
                    .sorted(java.util.Comparator.comparing(NodePresence.SocketPresence::id)).toList()));
            url = "http://127.0.0.1:" + sio.start().toCompletableFuture().get(10, TimeUnit.SECONDS).getPort();
        }

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
            assertThat(connected.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).as("client of " + id + " connected").isNotNull();
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

    @BeforeAll
    void formACluster() throws Exception {
        int[] ports = freePorts(3);
        List<String> seeds = List.of("127.0.0.1:" + ports[0], "127.0.0.1:" + ports[1]);
        String[] ids = {"node-a", "node-b", "node-c"};
        for (int i = 0; i < 3; i++) {
            nodes.add(new Node(ids[i], ports[i], seeds));
        }
        for (Node n : nodes) {
            await().atMost(WAIT).until(() -> n.cluster.view().up() == 3 && n.node.router() instanceof
                    dev.switchboard.core.routing.ClusterRouter r && r.backplane().peers().size() == 2);
            assertThat(n.node.health().component(SwitchboardNode.BACKPLANE).map(ComponentStatus::state))
                    .contains(ComponentStatus.State.UP);
            n.connectClient();
        }
    }

    @AfterAll
    void stopNodes() throws Exception {
        for (Node n : nodes) {
            n.close();
        }
    }

    private Node node(int i) {
        return nodes.get(i);
    }

    @Test
    @Order(1)
    void membershipIsSeenByEveryNode() {
        for (Node n : nodes) {
            ClusterView v = n.cluster.view();
            assertThat(v.ready()).as(n.id).isTrue();
            assertThat(v.members()).hasSize(3).allSatisfy(m -> assertThat(m.reachable()).isTrue());
            assertThat(n.node.health().component(SwitchboardCluster.MEMBERSHIP).map(ComponentStatus::state))
                    .contains(ComponentStatus.State.UP);
        }
    }

    @Test
    @Order(2)
    void aBroadcastOnOneNodeReachesSocketsOnAllAndLocalStaysLocal() throws Exception {
        long frames = node(0).cluster.backplane().framesSent();
        long bytes = node(0).cluster.backplane().bytesSent();
        node(0).sio.to("all").emit("news", "hello cluster");
        for (Node n : nodes) {
            assertThat(n.received.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).as(n.id).isEqualTo("news:hello cluster");
        }
        // One frame per other node; its size is the fabric envelope's (what Artery carries, before its framing).
        assertThat(node(0).cluster.backplane().framesSent() - frames).isEqualTo(2);
        org.slf4j.LoggerFactory.getLogger(getClass()).info("backplane: {} bytes per frame for a 1-argument event",
                (node(0).cluster.backplane().bytesSent() - bytes) / 2);
        node(1).sio.to("all").local().emit("local-only", "b only");
        node(1).sio.to("all").emit("marker", "after");
        assertThat(node(1).received.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("local-only:b only");
        for (Node n : nodes) {
            assertThat(n.received.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).as(n.id).isEqualTo("marker:after");
            assertThat(n.received).isEmpty();
        }
        assertThat(node(0).cluster.backplane().framesSent()).isGreaterThanOrEqualTo(2);
        assertThat(node(2).cluster.backplane().bytesReceived()).isPositive();
    }

    @Test
    @Order(3)
    void fetchSocketsAndBroadcastWithAckCountTheSocketsOfEveryNode() throws Exception {
        List<RemoteSocket> sockets = node(0).sio.sockets().fetchAllSockets().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(sockets).extracting(RemoteSocket::nodeId).containsExactlyInAnyOrder("node-a", "node-b", "node-c");
        assertThat(sockets).allSatisfy(s -> assertThat(s.rooms()).contains("all", s.id()));
        assertThat(sockets).extracting(s -> s.data().get("node")).containsExactlyInAnyOrder("node-a", "node-b", "node-c");

        BroadcastAcks acks = node(2).sio.sockets().timeout(WAIT).emitWithAck("question", "?")
                .get(WAIT.toSeconds() + 5, TimeUnit.SECONDS);
        assertThat(acks.expected()).isEqualTo(3);
        assertThat(acks.responses()).containsExactlyInAnyOrder("answer from client of node-a",
                "answer from client of node-b", "answer from client of node-c");
    }

    @Test
    @Order(4)
    void socketsJoinReachesAnotherNode() throws Exception {
        String bSocket = node(1).sio.sockets().fetchSockets().get(0).id();
        node(0).sio.in(bSocket).socketsJoin("vip");
        await().atMost(WAIT).until(() -> node(1).sio.sockets().fetchSockets().get(0).rooms().contains("vip"));
        node(2).sio.to("vip").emit("news", "vip only");
        assertThat(node(1).received.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("news:vip only");
        assertThat(node(0).received).isEmpty();
        assertThat(node(2).received).isEmpty();
    }

    @Test
    @Order(5)
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
    @Order(6)
    void presenceShowsEverySocketAndItsRoomsOnEveryNode() throws Exception {
        String bSocket = node(1).sio.sockets().fetchSockets().get(0).id();
        node(1).sio.in(bSocket).socketsJoin("presence-check");
        long since = System.nanoTime();
        for (Node n : nodes) {
            // Distributed Data gossips every 2 s; 10 s leaves room for this shared machine's stalls.
            await().atMost(Duration.ofSeconds(10)).until(() -> membersOf(n, "presence-check").equals(List.of(bSocket))
                    && sockets(n).size() == 3);
        }
        org.slf4j.LoggerFactory.getLogger(getClass()).info("presence converged on 3 nodes in {} ms",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since));
        assertThat(sockets(node(0))).containsExactlyInAnyOrderElementsOf(
                nodes.stream().map(n -> n.sio.sockets().fetchSockets().get(0).id()).toList());
    }

    private static List<String> sockets(Node n) {
        return n.presence.nodes().stream().flatMap(p -> p.namespaces().getOrDefault("/", List.of()).stream())
                .map(NodePresence.SocketPresence::id).toList();
    }

    private static List<String> membersOf(Node n, String room) {
        return n.presence.nodes().stream().flatMap(p -> p.namespaces().getOrDefault("/", List.of()).stream())
                .filter(s -> s.rooms().contains(room)).map(NodePresence.SocketPresence::id).toList();
    }

    @Test
    @Order(7)
    void aNodeThatLeavesIsNotWaitedForAndLeavesNoPresence() throws Exception {
        Node c = nodes.remove(2);
        c.close();
        for (Node n : nodes) {
            await().atMost(WAIT).until(() -> n.cluster.view().members().size() == 2
                    && ((dev.switchboard.core.routing.ClusterRouter) n.node.router()).backplane().peers().size() == 1);
        }
        BroadcastAcks acks = node(0).sio.sockets().timeout(WAIT).emitWithAck("question", "?")
                .get(WAIT.toSeconds() + 5, TimeUnit.SECONDS);
        assertThat(acks.expected()).isEqualTo(2);
        assertThat(node(0).sio.sockets().fetchAllSockets().get(WAIT.toSeconds(), TimeUnit.SECONDS)).hasSize(2);
        for (Node n : nodes) {
            await().atMost(WAIT).until(() -> n.presence.nodes().size() == 2 && sockets(n).size() == 2);
        }
    }

    private static int[] freePorts(int n) throws Exception {
        int[] ports = new int[n];
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0);
                held.add(s);
                ports[i] = s.getLocalPort();
            }
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
        return ports;
    }
}
