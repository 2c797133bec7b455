package dev.switchboard.socketio.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.core.message.Message;
import dev.switchboard.core.routing.EncodedMessage;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.routing.RouterConfig;
import dev.switchboard.core.routing.Routers;
import dev.switchboard.core.routing.RoutingMetrics;
import dev.switchboard.core.routing.Subscriber;
import dev.switchboard.core.routing.WireFormat;
import dev.switchboard.engineio.EngineIoConfig;
import dev.switchboard.socketio.SocketIoConfig;
import dev.switchboard.socketio.SocketIoServer;
import dev.switchboard.testkit.LeakDetectorExtension;
import dev.switchboard.transport.TransportConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.DefaultEventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.socket.client.IO;
import io.socket.engineio.client.transports.WebSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Protocols as subscribers of one fabric: a room holds official Socket.IO clients (the Java client,
 * over WebSocket and over polling), a subscriber of a test protocol with a wire format and renderer of
 * its own ("line": {@code event args-json}), and a subscriber whose format nobody registered. Each
 * publication, whichever side publishes it, reaches the first two in their own format; the third is
 * skipped and counted, and never fails the publication for the others.
 */
@ExtendWith(LeakDetectorExtension.class)
class MixedProtocolRoomTest {

    /** The test protocol's one wire format. */
    static final WireFormat LINE = () -> "test-line";

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final Router router = Routers.local(RouterConfig.builder().metrics(RoutingMetrics.micrometer(meters)).build());
    private final DefaultEventLoop lineLoop = new DefaultEventLoop();
    private SocketIoServer sio;
    private String url;
    private final List<io.socket.client.Socket> clients = new CopyOnWriteArrayList<>();

    /** A session of the test protocol: keeps each rendering as text, as a channel would write it. */
    static final class LineSubscriber implements Subscriber {
        final String id;
        final EventExecutor loop;
        final WireFormat format;
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

        LineSubscriber(String id, EventExecutor loop, WireFormat format) {
            this.id = id;
            this.loop = loop;
            this.format = format;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public EventExecutor executor() {
            return loop;
        }

        @Override
        public WireFormat wireFormat() {
            return format;
        }

        @Override
        public Delivery deliver(EncodedMessage message, boolean isVolatile) {
            ByteBuf dup = message.frame(0).retainedDuplicate();
            try {
                lines.add(dup.toString(StandardCharsets.UTF_8));
            } finally {
                dup.release();
            }
            return Delivery.WRITTEN;
        }

        @Override
        public void flush() {}
    }

    @BeforeEach
    void start() throws Exception {
        // The test protocol registers its format: "<event> <arguments as the message carries them>".
        router.register(LINE, (message, format, alloc) -> EncodedMessage.of(format,
                ByteBufUtil.writeUtf8(alloc, message.event() + " " + message.argumentsJson())));
        SocketIoConfig config = SocketIoConfig.builder()
                .engine(EngineIoConfig.builder().path(SocketIoConfig.DEFAULT_PATH).build())
                .transport(TransportConfig.builder().host("127.0.0.1").port(0).build())
                .build();
        sio = SocketIoServer.create(config, router);
        sio.on("connection", socket -> socket.on("join", (args, ack) -> {
            socket.join((String) args.get(0));
            ack.send();
        }));
        url = "http://127.0.0.1:" + sio.start().toCompletableFuture().get(10, TimeUnit.SECONDS).getPort();
    }

    @AfterEach
    void stop() throws Exception {
        clients.forEach(io.socket.client.Socket::close);
        sio.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
        lineLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }

    /** An official client connected and in {@code room}; its "news" events land in {@code news}. */
    private BlockingQueue<Object> clientInRoom(String room, String transport) throws Exception {
        IO.Options options = IO.Options.builder().setForceNew(true).setReconnection(false)
                .setTransports(new String[] {transport}).setUpgrade(false).build();
        io.socket.client.Socket s = IO.socket(URI.create(url), options);
        clients.add(s);
        BlockingQueue<Object> news = new LinkedBlockingQueue<>();
        BlockingQueue<Object> joined = new LinkedBlockingQueue<>();
        s.on("news", args -> news.add(args.length == 1 ? args[0] : List.of(args)));
        s.on(io.socket.client.Socket.EVENT_CONNECT, a -> s.emit("join", new Object[] {room},
                ackArgs -> joined.add(Boolean.TRUE)));
        s.connect();
        assertThat(joined.poll(10, TimeUnit.SECONDS)).as("joined " + room).isNotNull();
        return news;
    }

    private double counted(String outcome) {
        return meters.counter("switchboard.routing.deliveries", "outcome", outcome).count();
    }

    @Test
    void eachSubscriberGetsThePublicationInItsOwnFormatAndAnUnknownFormatIsSkippedAndCounted() throws Exception {
        BlockingQueue<Object> overWebSocket = clientInRoom("mixed", WebSocket.NAME);
        BlockingQueue<Object> overPolling = clientInRoom("mixed", io.socket.engineio.client.transports.Polling.NAME);
        LineSubscriber line = new LineSubscriber("line-1", lineLoop, LINE);
        LineSubscriber stranger = new LineSubscriber("stranger-1", lineLoop, () -> "nobody-renders-this");
        router.subscribe("/", "mixed", line);
        router.subscribe("/", "mixed", stranger);

        // Published by Socket.IO's API.
        sio.to("mixed").emit("news", java.util.Map.of("n", 1, "text", "héllo"));
        for (BlockingQueue<Object> q : List.of(overWebSocket, overPolling)) {
            JSONObject got = (JSONObject) q.poll(10, TimeUnit.SECONDS);
            assertThat(got).as("a Socket.IO client got it").isNotNull();
            assertThat(got.getInt("n")).isEqualTo(1);
            assertThat(got.getString("text")).isEqualTo("héllo");
        }
        String first = line.lines.poll(10, TimeUnit.SECONDS);
        assertThat(first).startsWith("news [{").contains("\"n\":1").contains("\"text\":\"héllo\"");

        // Published by another protocol straight into the fabric: the Socket.IO clients read it too.
        router.publish(Message.builder("/", "news").rooms(Set.of("mixed")).arguments("[\"from-line\",2]")
                .origin("", "test-line").build()).toCompletableFuture().get(10, TimeUnit.SECONDS);
        for (BlockingQueue<Object> q : List.of(overWebSocket, overPolling)) {
            assertThat(q.poll(10, TimeUnit.SECONDS)).isEqualTo(List.of("from-line", 2));
        }
        assertThat(line.lines.poll(10, TimeUnit.SECONDS)).isEqualTo("news [\"from-line\",2]");

        assertThat(stranger.lines).isEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() -> counted("unrenderable") == 2.0);
        await().atMost(Duration.ofSeconds(10)).until(() -> counted("written") == 6.0);
    }
}
