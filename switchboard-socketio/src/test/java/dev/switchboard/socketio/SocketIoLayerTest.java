package dev.switchboard.socketio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.switchboard.engineio.CloseReason;
import dev.switchboard.testkit.LeakDetectorExtension;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Socket.IO layer over in-memory Engine.IO sessions and the real core Router: packet by packet,
 * what the server answers. The same behaviours are checked end to end with official clients elsewhere.
 */
@ExtendWith(LeakDetectorExtension.class)
class SocketIoLayerTest {

    private static DefaultEventLoopGroup loops;
    private DefaultSocketIoServer io;

    @BeforeAll
    static void loops() {
        loops = new DefaultEventLoopGroup(2);
    }

    @AfterAll
    static void stopLoops() {
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @AfterEach
    void close() {
        if (io != null) {
            io.closeNamespacesForTest();
        }
    }

    private DefaultSocketIoServer server(SocketIoConfig config) {
        io = (DefaultSocketIoServer) SocketIoServer.create(config);
        return io;
    }

    private DefaultSocketIoServer server() {
        return server(SocketIoConfig.defaults());
    }

    private FakeSession open() throws Exception {
        EventLoop loop = loops.next();
        FakeSession s = new FakeSession(loop);
        loop.submit(() -> new Client(io, s)).get(15, TimeUnit.SECONDS);
        return s;
    }

    private FakeSession connected(String nsp) throws Exception {
        FakeSession s = open();
        s.receive("0" + ("/".equals(nsp) ? "" : nsp + ","));
        assertThat(s.nextText()).startsWith("0" + ("/".equals(nsp) ? "" : nsp + ",") + "{\"sid\":\"");
        return s;
    }

    private static <T> T take(BlockingQueue<T> q) throws InterruptedException {
        T v = q.poll(15, TimeUnit.SECONDS);
        assertThat(v).as("value within 15 s").isNotNull();
        return v;
    }

    @Test
    void connectRepliesWithSidAndHandsAuthToTheHandshake() throws Exception {
        server();
        BlockingQueue<Socket> sockets = new LinkedBlockingQueue<>();
        io.on("connection", sockets::add);
        FakeSession s = open();
        s.receive("0{\"token\":\"abc\",\"n\":[1,2]}");
        String reply = s.nextText();
        Socket socket = take(sockets);
        assertThat(reply).isEqualTo("0{\"sid\":\"" + socket.id() + "\"}");
        assertThat(socket.id()).hasSize(20);
        assertThat(socket.handshake().auth()).containsEntry("token", "abc").containsEntry("n", List.of(1, 2));
        assertThat(socket.handshake().address()).isEqualTo("127.0.0.1");
        assertThat(socket.handshake().time()).matches("\\w{3} \\w{3} \\d{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT[+-]\\d{4} \\(.+\\)");
        assertThat(socket.handshake().issued()).isCloseTo(System.currentTimeMillis(), org.assertj.core.data.Offset.offset(60_000L));
        assertThat(socket.handshake().query()).containsEntry("EIO", "4");
        assertThat(socket.rooms()).containsExactly(socket.id());
        assertThat(io.sockets().sockets()).containsKey(socket.id());
    }

    @Test
    void unknownNamespaceIsRefusedAndTheConnectionStays() throws Exception {
        server();
        FakeSession s = open();
        s.receive("0/nope,");
        assertThat(s.nextText()).isEqualTo("4/nope,{\"message\":\"Invalid namespace\"}");
        s.receive("0");
        assertThat(s.nextText()).startsWith("0{\"sid\"");
        assertThat(s.isOpen()).isTrue();
    }

    @Test
    void middlewareRejectionCarriesMessageAndData() throws Exception {
        server();
        io.of("/admin").use((socket, next) -> {
            if ("secret".equals(socket.handshake().auth().get("token"))) {
                next.proceed();
            } else {
                next.reject("not authorized", Map.of("code", 42));
            }
        });
        FakeSession s = open();
        s.receive("0/admin,{\"token\":\"wrong\"}");
        assertThat(s.nextText()).isEqualTo("4/admin,{\"message\":\"not authorized\",\"data\":{\"code\":42}}");
        s.receive("0/admin,{\"token\":\"secret\"}");
        assertThat(s.nextText()).startsWith("0/admin,{\"sid\"");
    }

    @Test
    void middlewareMayJoinRoomsBeforeTheSocketIsConnected() throws Exception {
        server();
        io.use((socket, next) -> {
            socket.join("early");
            assertThat(socket.rooms()).containsExactly("early");
            next.proceed();
        });
        FakeSession s = connected("/");
        io.to("early").emit("hi");
        assertThat(s.nextText()).isEqualTo("2[\"hi\"]");
    }

    @Test
    void middlewareMayThrowAndMayAnswerFromAnotherThread() throws Exception {
        server();
        io.use((socket, next) -> CompletableFuture.runAsync(next::proceed));
        io.use((socket, next) -> {
            throw new SocketIoException("boom", List.of(1));
        });
        FakeSession s = open();
        s.receive("0");
        assertThat(s.nextText()).isEqualTo("4{\"message\":\"boom\",\"data\":[1]}");
    }

    @Test
    void eventsReachListenersAndAcksGoBack() throws Exception {
        server();
        BlockingQueue<List<Object>> got = new LinkedBlockingQueue<>();
        io.on("connection", socket -> socket.on("hello", (args, ack) -> {
            got.add(args);
            ack.send("ok", Map.of("echo", args.get(0)));
        }));
        FakeSession s = connected("/");
        s.receive("27[\"hello\",\"w\",1,2.5,true,null,{\"b\":{\"a\":[]}}]");
        assertThat(take(got)).containsExactly("w", 1, 2.5, true, null, Map.of("b", Map.of("a", List.of())));
        assertThat(s.nextText()).isEqualTo("37[\"ok\",{\"echo\":\"w\"}]");
    }

    record Chat(String user, String text) {}

    @Test
    void typedListenersAndOnceAndOffAndOnAny() throws Exception {
        server();
        BlockingQueue<Object> got = new LinkedBlockingQueue<>();
        io.on("connection", socket -> {
            socket.on("chat", Chat.class, (msg, ack) -> got.add(msg));
            socket.once("one", (args, ack) -> got.add("once:" + args));
            EventListener removed = (args, ack) -> got.add("removed");
            socket.on("gone", removed).off("gone", removed);
            socket.onAny((event, args) -> got.add("any:" + event));
        });
        FakeSession s = connected("/");
        s.receive("2[\"chat\",{\"user\":\"ann\",\"text\":\"hi\"}]");
        assertThat(take(got)).isEqualTo("any:chat");
        assertThat(take(got)).isEqualTo(new Chat("ann", "hi"));
        s.receive("2[\"one\",1]");
        s.receive("2[\"one\",2]");
        s.receive("2[\"gone\"]");
        s.receive("2[\"end\"]");
        assertThat(take(got)).isEqualTo("any:one");
        assertThat(take(got)).isEqualTo("once:[1]");
        assertThat(take(got)).isEqualTo("any:one");
        assertThat(take(got)).isEqualTo("any:gone");
        assertThat(take(got)).isEqualTo("any:end");
    }

    @Test
    void serverEmitWithAckCompletesAndTimesOut() throws Exception {
        server();
        BlockingQueue<Socket> sockets = new LinkedBlockingQueue<>();
        io.on("connection", sockets::add);
        FakeSession s = connected("/");
        Socket socket = take(sockets);
        CompletableFuture<List<Object>> answered = socket.emitWithAck(Duration.ofSeconds(5), "q", 1);
        String sent = s.nextText();
        assertThat(sent).matches("2\\d+\\[\"q\",1\\]");
        String id = sent.substring(1, sent.indexOf('['));
        s.receive("3" + id + "[\"a\",2]");
        assertThat(answered.get(15, TimeUnit.SECONDS)).containsExactly("a", 2);

        CompletableFuture<List<Object>> late = socket.emitWithAck(Duration.ofMillis(50), "q");
        assertThatThrownBy(() -> late.get(15, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(AckTimeoutException.class)
                .hasMessageContaining("operation has timed out");
    }

    @Test
    void pendingAckFailsWhenTheSocketDisconnects() throws Exception {
        server();
        BlockingQueue<Socket> sockets = new LinkedBlockingQueue<>();
        io.on("connection", sockets::add);
        FakeSession s = connected("/");
        Socket socket = take(sockets);
        CompletableFuture<List<Object>> pending = socket.emitWithAck(Duration.ofSeconds(30), "q");
        s.nextText();
        s.drop();
        assertThatThrownBy(() -> pending.get(15, TimeUnit.SECONDS))
                .hasCauseInstanceOf(SocketIoException.class)
                .hasMessageContaining("disconnected");
    }

    @Test
    void metricsHookCountsConnectionsPacketsAndHandshakeFailures() throws Exception {
        java.util.concurrent.ConcurrentLinkedQueue<String> seen = new java.util.concurrent.ConcurrentLinkedQueue<>();
        server(SocketIoConfig.builder().metrics(new SocketIoMetrics() {
            @Override
            public void connected(String namespace) {
                seen.add("connected " + namespace);
            }

            @Override
            public void disconnected(String namespace, DisconnectReason reason) {
                seen.add("disconnected " + namespace + " " + reason);
            }

            @Override
            public void packetIn(String namespace) {
                seen.add("in " + namespace);
            }

            @Override
            public void packetOut(String namespace) {
                seen.add("out " + namespace);
            }

            @Override
            public void handshakeFailed(String reason) {
                seen.add("failed " + reason);
            }
        }).build());
        FakeSession s = connected("/");
        s.receive("0/nope,");
        s.nextText();
        s.drop();
        await().atMost(Duration.ofSeconds(15)).until(() -> seen.contains("disconnected / transport close"));
        assertThat(seen).containsExactlyInAnyOrder("in /", "out /", "connected /", "in /nope", "failed invalid namespace", "out /nope",
                "disconnected / transport close");
    }

    @Test
    void reservedEventNamesCannotBeEmitted() throws Exception {
        server();
        assertThatThrownBy(() -> io.emit("disconnect")).hasMessageContaining("reserved");
    }

    @Test
    void roomsAndBroadcastOperators() throws Exception {
        server();
        BlockingQueue<Socket> sockets = new LinkedBlockingQueue<>();
        io.on("connection", sockets::add);
        FakeSession a = connected("/");
        Socket sa = take(sockets);
        FakeSession b = connected("/");
        Socket sb = take(sockets);
        FakeSession c = connected("/");
        Socket sc = take(sockets);
        sa.join("r1");
        sb.join("r1", "r2");
        sc.join("quiet");

        io.to("r1").emit("m", 1);
        assertThat(a.nextText()).isEqualTo("2[\"m\",1]");
        assertThat(b.nextText()).isEqualTo("2[\"m\",1]");
        io.to("r1").except("r2").emit("m", 2);
        assertThat(a.nextText()).isEqualTo("2[\"m\",2]");
        io.in("r2", "quiet").emit("m", 3);
        assertThat(b.nextText()).isEqualTo("2[\"m\",3]");
        assertThat(c.nextText()).isEqualTo("2[\"m\",3]");
        sa.broadcast().emit("m", 4);
        assertThat(b.nextText()).isEqualTo("2[\"m\",4]");
        assertThat(c.nextText()).isEqualTo("2[\"m\",4]");
        sa.to("r1").emit("m", 5);
        assertThat(b.nextText()).isEqualTo("2[\"m\",5]");
        io.except("quiet").emit("m", 6);
        assertThat(a.nextText()).isEqualTo("2[\"m\",6]");
        assertThat(b.nextText()).isEqualTo("2[\"m\",6]");
        io.to(sc.id()).emit("m", 7);
        assertThat(c.nextText()).isEqualTo("2[\"m\",7]");
        // Nothing more arrived: a marker sent to everyone now is the next thing each one gets.
        io.emit("marker", 0);
        for (FakeSession s : List.of(a, b, c)) {
            assertThat(s.nextText()).as("nothing more for %s", s.id()).isEqualTo("2[\"marker\",0]");
        }

        assertThat(io.sockets().rooms()).containsEntry("r1", 2).containsEntry("r2", 1).containsEntry(sa.id(), 1);
        assertThat(io.in("r1").fetchSockets()).extracting(Socket::id).containsExactlyInAnyOrder(sa.id(), sb.id());
        io.in("r1").socketsJoin("new");
        assertThat(io.in("new").fetchSockets()).hasSize(2);
        io.in("new").socketsLeave("r1");
        assertThat(io.in("r1").fetchSockets()).isEmpty();
        sb.leave("r2");
        assertThat(sb.rooms()).containsExactlyInAnyOrder(sb.id(), "new");
    }

    @Test
    void broadcastWithAcksAggregatesAndReportsPartialOnTimeout() throws Exception {
        server();
        BlockingQueue<Socket> sockets = new LinkedBlockingQueue<>();
        io.on("connection", sockets::add);
        FakeSession a = connected("/");
        take(sockets).join("r");
        FakeSession b = connected("/");
        Socket sb = take(sockets);
        sb.join("r");

        CompletableFuture<BroadcastOperator.BroadcastAcks> all = io.to("r").timeout(Duration.ofSeconds(5)).emitWithAck("q");
        for (FakeSession s : List.of(a, b)) {
            String sent = s.nextText();
            String id = sent.substring(1, sent.indexOf('['));
            s.receive("3" + id + "[\"" + s.id() + "\"]");
        }
        BroadcastOperator.BroadcastAcks acks = all.get(15, TimeUnit.SECONDS);
        assertThat(acks.expected()).isEqualTo(2);
        assertThat(acks.responses()).containsExactlyInAnyOrder(a.id(), b.id());

        // a answers at once, b never: 3 s leave a loaded machine time to carry a's answer before the timeout.
        CompletableFuture<BroadcastOperator.BroadcastAcks> partial = io.to("r").timeout(Duration.ofSeconds(3)).emitWithAck("q");
        String sent = a.nextText();
        a.receive("3" + sent.substring(1, sent.indexOf('[')) + "[1]");
        b.nextText();
        assertThatThrownBy(() -> partial.get(15, TimeUnit.SECONDS))
                .hasCauseInstanceOf(AckTimeoutException.class)
                .satisfies(e -> assertThat(((AckTimeoutException) e.getCause()).partialResponses()).containsExactly(1));
        SocketImpl silent = (SocketImpl) sb;
        await().atMost(Duration.ofSeconds(15)).until(() ->
                silent.executor().submit(silent::pendingAcks).get() == 0);
    }

    @Test
    void volatileBroadcastIsDroppedForAClientThatCannotTakeIt() throws Exception {
        server();
        FakeSession slow = connected("/");
        FakeSession fast = connected("/");
        slow.writable = false;
        io.sockets().asVolatile().emit("tick", 1);
        io.emit("after", 2);
        assertThat(fast.nextText()).isEqualTo("2[\"tick\",1]");
        assertThat(fast.nextText()).isEqualTo("2[\"after\",2]");
        assertThat(slow.nextText()).isEqualTo("2[\"after\",2]");
    }

    @Test
    void binaryAttachmentsBothWays() throws Exception {
        server();
        BlockingQueue<List<Object>> got = new LinkedBlockingQueue<>();
        io.on("connection", socket -> socket.on("up", (args, ack) -> {
            got.add(args);
            ack.send(args.get(1), "done");
        }));
        FakeSession s = connected("/");
        s.receive("52-3[\"up\",{\"x\":{\"_placeholder\":true,\"num\":1}},{\"_placeholder\":true,\"num\":0}]");
        s.receiveBinary(new byte[] {1, 2});
        s.receiveBinary(new byte[] {3});
        List<Object> args = take(got);
        @SuppressWarnings("unchecked")
        Map<String, Object> first = (Map<String, Object>) args.get(0);
        assertThat((byte[]) first.get("x")).containsExactly(3);
        assertThat((byte[]) args.get(1)).containsExactly(1, 2);
        assertThat(s.nextText()).isEqualTo("61-3[{\"_placeholder\":true,\"num\":0},\"done\"]");
        assertThat((byte[]) s.next()).containsExactly(1, 2);

        io.emit("down", Map.of("deep", List.of(new byte[] {7})), new byte[] {8, 9});
        assertThat(s.nextText()).isEqualTo(
                "52-[\"down\",{\"deep\":[{\"_placeholder\":true,\"num\":0}]},{\"_placeholder\":true,\"num\":1}]");
        assertThat((byte[]) s.next()).containsExactly(7);
        assertThat((byte[]) s.next()).containsExactly(8, 9);
    }

    @Test
    void malformedPacketsCloseOnlyThatConnection() throws Exception {
        server();
        BlockingQueue<DisconnectReason> reasons = new LinkedBlockingQueue<>();
        io.on("connection", socket -> socket.onDisconnect(reasons::add));
        FakeSession healthy = connected("/");
        for (String bad : List.of("9", "2[\"a\"", "2{\"a\":1}", "299999999999999999[\"a\"]", "2[\"a\"]x")) {
            FakeSession s = connected("/");
            s.receive(bad);
            await().atMost(Duration.ofSeconds(15)).until(() -> !s.isOpen());
            assertThat(take(reasons)).isEqualTo(DisconnectReason.PARSE_ERROR);
        }
        io.emit("still", "here");
        assertThat(healthy.nextText()).isEqualTo("2[\"still\",\"here\"]");
    }

    @Test
    void firstPacketOtherThanConnectClosesTheConnection() throws Exception {
        server();
        FakeSession s = open();
        s.receive("2[\"a\"]");
        await().atMost(Duration.ofSeconds(15)).until(() -> !s.isOpen());
        assertThat(s.closedWith).isEqualTo(CloseReason.FORCED_CLOSE);
    }

    @Test
    void packetsInAnInvalidStateCloseTheConnection() throws Exception {
        server();
        io.of("/chat");
        for (String bad : List.of("0", "4{\"message\":\"x\"}", "2/chat,[\"not joined\"]")) {
            FakeSession s = connected("/");
            s.receive(bad);
            await().atMost(Duration.ofSeconds(15)).until(() -> !s.isOpen());
            assertThat(s.closedWith).as("after %s", bad).isEqualTo(CloseReason.FORCED_CLOSE);
        }
    }

    @Test
    void noConnectWithinConnectTimeoutClosesTheConnection() throws Exception {
        // 2 s: the session that connects at once does so well within it even on a loaded machine.
        server(SocketIoConfig.builder().connectTimeout(Duration.ofSeconds(2)).build());
        FakeSession idle = open();
        FakeSession joined = connected("/");
        await().atMost(Duration.ofSeconds(15)).until(() -> !idle.isOpen());
        // The connected one was left alone: the next thing it gets is a marker sent now.
        io.emit("marker", 1);
        assertThat(joined.nextText()).isEqualTo("2[\"marker\",1]");
        assertThat(joined.isOpen()).isTrue();
    }

    @Test
    void clientDisconnectLeavesOtherNamespacesWorking() throws Exception {
        server();
        io.of("/chat");
        BlockingQueue<DisconnectReason> reasons = new LinkedBlockingQueue<>();
        BlockingQueue<java.util.Set<String>> roomsWhenLeaving = new LinkedBlockingQueue<>();
        io.on("connection", socket -> {
            socket.join("lobby");
            socket.onDisconnecting(r -> roomsWhenLeaving.add(socket.rooms()));
            socket.onDisconnect(reasons::add);
        });
        FakeSession s = connected("/");
        s.receive("0/chat,");
        assertThat(s.nextText()).startsWith("0/chat,{\"sid\"");
        s.receive("1");
        assertThat(take(reasons)).isEqualTo(DisconnectReason.CLIENT_NAMESPACE_DISCONNECT);
        assertThat(take(roomsWhenLeaving)).contains("lobby");
        assertThat(io.sockets().sockets()).isEmpty();
        io.of("/chat").emit("x");
        assertThat(s.nextText()).isEqualTo("2/chat,[\"x\"]");
        assertThat(s.isOpen()).isTrue();
    }

    @Test
    void serverDisconnectSendsDisconnectAndCloseEndsTheConnection() throws Exception {
        server();
        BlockingQueue<Socket> sockets = new LinkedBlockingQueue<>();
        BlockingQueue<DisconnectReason> reasons = new LinkedBlockingQueue<>();
        io.on("connection", socket -> {
            sockets.add(socket);
            socket.onDisconnect(reasons::add);
        });
        FakeSession s = connected("/");
        take(sockets).disconnect(false);
        assertThat(s.nextText()).isEqualTo("1");
        assertThat(take(reasons)).isEqualTo(DisconnectReason.SERVER_NAMESPACE_DISCONNECT);
        assertThat(s.isOpen()).isTrue();

        s.receive("0");
        s.nextText();
        take(sockets).disconnect(true);
        assertThat(s.nextText()).isEqualTo("1");
        await().atMost(Duration.ofSeconds(15)).until(() -> !s.isOpen());
        s.drop();
        assertThat(take(reasons)).isEqualTo(DisconnectReason.SERVER_NAMESPACE_DISCONNECT);
    }

    @Test
    void transportCloseIsReported() throws Exception {
        server();
        BlockingQueue<DisconnectReason> reasons = new LinkedBlockingQueue<>();
        io.on("connection", socket -> socket.onDisconnect(reasons::add));
        FakeSession s = connected("/");
        s.drop();
        assertThat(take(reasons)).isEqualTo(DisconnectReason.TRANSPORT_CLOSE);
        assertThat(io.sockets().sockets()).isEmpty();
        assertThat(io.router().rooms("/")).isEmpty();
    }

    @Test
    void dynamicNamespacesInheritMiddlewareAndAreCleanedUpWhenAsked() throws Exception {
        server(SocketIoConfig.builder().cleanupEmptyChildNamespaces(true).build());
        BlockingQueue<String> seen = new LinkedBlockingQueue<>();
        Namespace parent = io.of(Pattern.compile("^/dyn-\\d+$"));
        parent.use((socket, next) -> {
            seen.add("mw:" + socket.namespace());
            next.proceed();
        }).on("connection", socket -> seen.add("conn:" + socket.namespace()));
        FakeSession s = open();
        s.receive("0/dyn-12,");
        assertThat(s.nextText()).startsWith("0/dyn-12,{\"sid\"");
        assertThat(take(seen)).isEqualTo("mw:/dyn-12");
        assertThat(take(seen)).isEqualTo("conn:/dyn-12");
        assertThat(io.namespace("/dyn-12")).isNotNull();
        parent.emit("all", 1);
        assertThat(s.nextText()).isEqualTo("2/dyn-12,[\"all\",1]");
        CompletableFuture<BroadcastOperator.BroadcastAcks> acks = parent.timeout(Duration.ofSeconds(15)).emitWithAck("ask");
        String asked = s.nextText();
        assertThat(asked).matches("2/dyn-12,\\d+\\[\"ask\"\\]");
        s.receive("3/dyn-12," + asked.substring(9, asked.indexOf('[')) + "[\"yes\"]");
        assertThat(acks.get(15, TimeUnit.SECONDS).responses()).containsExactly("yes");
        s.receive("0/dyn-x,");
        assertThat(s.nextText()).isEqualTo("4/dyn-x,{\"message\":\"Invalid namespace\"}");
        s.receive("1/dyn-12,");
        await().atMost(Duration.ofSeconds(15)).until(() -> io.namespace("/dyn-12") == null);
    }

    @Test
    void perPacketMiddlewareCanStopAnEvent() throws Exception {
        server();
        BlockingQueue<Object> got = new LinkedBlockingQueue<>();
        io.on("connection", socket -> {
            socket.use((event, args, next) -> {
                if ("forbidden".equals(event)) {
                    next.reject("nope", null);
                } else {
                    next.proceed();
                }
            });
            socket.onError(e -> got.add("error:" + e.getMessage()));
            socket.on("forbidden", (args, ack) -> got.add("forbidden ran"));
            socket.on("ok", (args, ack) -> got.add("ok ran"));
        });
        FakeSession s = connected("/");
        s.receive("2[\"forbidden\"]");
        s.receive("2[\"ok\"]");
        assertThat(take(got)).isEqualTo("error:nope");
        assertThat(take(got)).isEqualTo("ok ran");
    }

    @Test
    void onAnyOutgoingSeesDirectAndBroadcastEvents() throws Exception {
        server();
        BlockingQueue<String> out = new LinkedBlockingQueue<>();
        BlockingQueue<Socket> sockets = new LinkedBlockingQueue<>();
        io.on("connection", socket -> {
            socket.onAnyOutgoing((event, args) -> out.add(event + args));
            sockets.add(socket);
        });
        FakeSession s = connected("/");
        take(sockets).emit("direct", 1);
        io.emit("broad", new byte[] {5});
        assertThat(take(out)).isEqualTo("direct[1]");
        assertThat(take(out)).startsWith("broad[[B");
        s.nextText();
    }

    @Test
    void connectionStateRecoveryRestoresIdRoomsDataAndMissedEvents() throws Exception {
        server(SocketIoConfig.builder().recovery(RecoveryConfig.defaults()).build());
        BlockingQueue<Socket> sockets = new LinkedBlockingQueue<>();
        io.use((socket, next) -> {
            if (socket.handshake().auth().containsKey("blocked")) {
                next.reject("blocked", null);
            } else {
                next.proceed();
            }
        });
        // Handed over once the handler is done: the CONNECT reply is written before it runs, so receiving it
        // says nothing about the join.
        io.on("connection", socket -> {
            if (!socket.recovered()) {
                socket.join("news");
                socket.data().put("user", "ann");
            }
            sockets.add(socket);
        });
        FakeSession first = open();
        first.receive("0");
        String connect = first.nextText();
        assertThat(connect).matches("0\\{\"sid\":\"[\\w-]{20}\",\"pid\":\"[\\w-]{20}\"\\}");
        String pid = connect.substring(connect.indexOf("\"pid\":\"") + 7, connect.length() - 2);
        Socket s1 = take(sockets);
        io.to("news").emit("n", 1);
        String withOffset = first.nextText();
        assertThat(withOffset).matches("2\\[\"n\",1,\"[^\"]+\"\\]");
        String offset = withOffset.substring(withOffset.indexOf(",\"") + 2, withOffset.length() - 2);

        first.drop();
        await().atMost(Duration.ofSeconds(15)).until(() -> io.sockets().sockets().isEmpty());
        io.to("news").emit("n", 2);
        io.to("elsewhere").emit("n", 3);
        io.emit("n", 4);

        FakeSession second = open();
        second.receive("0{\"pid\":\"" + pid + "\",\"offset\":\"" + offset + "\",\"blocked\":true}");
        assertThat(second.nextText()).isEqualTo("0{\"sid\":\"" + s1.id() + "\",\"pid\":\"" + pid + "\"}");
        assertThat(second.nextText()).matches("2\\[\"n\",2,\"[^\"]+\"\\]");
        assertThat(second.nextText()).matches("2\\[\"n\",4,\"[^\"]+\"\\]");
        Socket s2 = take(sockets);
        assertThat(s2.recovered()).isTrue();
        assertThat(s2.id()).isEqualTo(s1.id());
        assertThat(s2.rooms()).contains("news");
        assertThat(s2.data()).containsEntry("user", "ann");

        FakeSession unknown = open();
        unknown.receive("0{\"pid\":\"nope\",\"offset\":\"" + offset + "\"}");
        String fresh = unknown.nextText();
        assertThat(fresh).doesNotContain(s1.id());
        assertThat(take(sockets).recovered()).isFalse();
    }
}
