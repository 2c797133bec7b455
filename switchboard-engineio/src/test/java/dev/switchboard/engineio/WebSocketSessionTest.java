package dev.switchboard.engineio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.routing.EncodedMessage;
import dev.switchboard.core.routing.Subscriber;
import dev.switchboard.testkit.LeakDetectorExtension;
import dev.switchboard.transport.HttpHandler;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The WebSocket transport through an EmbeddedChannel holding the real HTTP codec: Netty's handshaker
 * upgrades it, a masking client encoder produces what a browser would send, and Netty's decoder
 * reads the raw frames the session writes.
 */
@ExtendWith(LeakDetectorExtension.class)
class WebSocketSessionTest {

    private final List<String> events = new ArrayList<>();
    private final List<EngineSocket> sockets = new ArrayList<>();
    private final EngineIoServer engine = EngineIoServer.create(EngineIoConfig.builder()
            .pingInterval(Duration.ofMillis(1000))
            .pingTimeout(Duration.ofMillis(500))
            .maxPayload(1000)
            .maxPendingBytes(4000)
            .build(), socket -> {
                sockets.add(socket);
                socket.listener(new EngineSocket.Listener() {
                    @Override
                    public void onMessage(String text) {
                        events.add("message:" + text);
                    }

                    @Override
                    public void onBinary(ByteBuf data) {
                        events.add("binary:" + ByteBufUtil.hexDump(data));
                        data.release();
                    }

                    @Override
                    public void onClose(CloseReason reason, String detail) {
                        events.add("close:" + reason.text());
                    }
                });
            });
    /** The server's connection. */
    private final EmbeddedChannel server = new EmbeddedChannel();
    /** Masks client frames into bytes. */
    private final EmbeddedChannel clientEncoder = new EmbeddedChannel(new WebSocket13FrameEncoder(true));
    /** Reads the server's frames. */
    private final EmbeddedChannel clientDecoder = new EmbeddedChannel(new WebSocket13FrameDecoder(false, false, 1 << 20));
    private final ByteBuf received = Unpooled.buffer();
    private boolean headSkipped;

    WebSocketSessionTest() {
        server.pipeline().addLast("http-codec", new HttpServerCodec());
        server.pipeline().addLast("http-aggregator", new HttpObjectAggregator(1 << 20));
        server.pipeline().addLast(HttpHandler.ROUTER_NAME, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                FullHttpRequest r = (FullHttpRequest) msg;
                try {
                    engine.httpHandler().handle(ctx, r);
                } finally {
                    r.release();
                }
            }
        });
    }

    /** A polling connection, for the upgrade tests; its loop owns the session it handshakes. */
    private EmbeddedChannel polling;

    @AfterEach
    void finish() {
        engine.close();
        server.runPendingTasks();
        if (polling != null) {
            polling.runPendingTasks();
            polling.finishAndReleaseAll();
        }
        server.finishAndReleaseAll();
        clientEncoder.finishAndReleaseAll();
        clientDecoder.finishAndReleaseAll();
        received.release();
        assertThat(engine.sessionCount()).isZero();
    }

    private void upgrade(String query) {
        String request = "GET /engine.io/?" + query + " HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
        server.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.US_ASCII));
        server.runPendingTasks();
    }

    private void clientSends(WebSocketFrame frame) {
        clientEncoder.writeOutbound(frame);
        ByteBuf bytes;
        while ((bytes = clientEncoder.readOutbound()) != null) {
            server.writeInbound(bytes);
        }
        server.runPendingTasks();
    }

    /** Everything the server wrote since last time, as frames ("T:text", "B:hex", "C:status"). */
    private List<String> serverFrames() {
        ByteBuf b;
        while ((b = server.readOutbound()) != null) {
            received.writeBytes(b);
            b.release();
        }
        if (!headSkipped) {
            int end = ByteBufUtil.indexOf(Unpooled.wrappedBuffer("\r\n\r\n".getBytes(StandardCharsets.US_ASCII)), received);
            if (end < 0) {
                return List.of();
            }
            String head = received.readCharSequence(end + 4, StandardCharsets.US_ASCII).toString();
            assertThat(head).startsWith("HTTP/1.1 101");
            headSkipped = true;
        }
        clientDecoder.writeInbound(received.readRetainedSlice(received.readableBytes()));
        List<String> frames = new ArrayList<>();
        Object f;
        while ((f = clientDecoder.readInbound()) != null) {
            if (f instanceof TextWebSocketFrame t) {
                frames.add("T:" + t.text());
            } else if (f instanceof BinaryWebSocketFrame bin) {
                frames.add("B:" + ByteBufUtil.hexDump(bin.content()));
            } else if (f instanceof CloseWebSocketFrame c) {
                frames.add("C:" + c.statusCode());
            }
            ((WebSocketFrame) f).release();
        }
        return frames;
    }

    @Test
    void directWebSocketHandshakeSendsOpenWithoutUpgrades() {
        upgrade("EIO=4&transport=websocket");
        List<String> frames = serverFrames();
        assertThat(frames).hasSize(1);
        assertThat(frames.get(0)).matches("T:0\\{\"sid\":\"[A-Za-z0-9_-]{20}\",\"upgrades\":\\[],"
                + "\"pingInterval\":1000,\"pingTimeout\":500,\"maxPayload\":1000}");
        assertThat(sockets.get(0).transport()).isEqualTo(TransportKind.WEBSOCKET);
        assertThat(sockets.get(0).socketWireFormat()).isSameAs(EngineWireFormats.WEBSOCKET);
    }

    @Test
    void onePacketPerFrameBothWays() {
        upgrade("EIO=4&transport=websocket");
        serverFrames();
        clientSends(new TextWebSocketFrame("4hello"));
        clientSends(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {1, 2, 3})));
        assertThat(events).containsExactly("message:hello", "binary:010203");
        EngineSocket s = sockets.get(0);
        s.send("back");
        s.send(Unpooled.wrappedBuffer(new byte[] {(byte) 0xff}));
        assertThat(serverFrames()).containsExactly("T:4back", "B:ff");
    }

    @Test
    void fanOutWritesTheSharedFrameAndFlushesOnce() {
        upgrade("EIO=4&transport=websocket");
        serverFrames();
        EngineSocket s = sockets.get(0);
        EncodedMessage m = EncodedMessage.of(EngineWireFormats.WEBSOCKET,
                EngineWireFormats.textMessage(EngineWireFormats.WEBSOCKET, PooledByteBufAllocator.DEFAULT, "news"));
        assertThat(s.write(m, false)).isEqualTo(Subscriber.Delivery.WRITTEN);
        assertThat(s.write(m, false)).isEqualTo(Subscriber.Delivery.WRITTEN);
        assertThat(serverFrames()).isEmpty(); // not flushed yet
        s.flush();
        assertThat(serverFrames()).containsExactly("T:4news", "T:4news");
        assertThat(m.refCnt()).isEqualTo(1);
        m.release();
    }

    @Test
    void volatileIsDroppedWhileTheChannelIsNotWritable() {
        upgrade("EIO=4&transport=websocket");
        serverFrames();
        server.config().setWriteBufferWaterMark(new WriteBufferWaterMark(100, 200));
        EngineSocket s = sockets.get(0);
        EncodedMessage m = EncodedMessage.of(EngineWireFormats.WEBSOCKET, EngineWireFormats.textMessage(
                EngineWireFormats.WEBSOCKET, PooledByteBufAllocator.DEFAULT, "x".repeat(300)));
        assertThat(s.write(m, true)).isEqualTo(Subscriber.Delivery.WRITTEN);
        assertThat(s.isWritable()).isFalse();
        assertThat(s.write(m, true)).isEqualTo(Subscriber.Delivery.DROPPED_VOLATILE);
        assertThat(s.write(m, false)).isEqualTo(Subscriber.Delivery.WRITTEN);
        s.flush();
        assertThat(serverFrames()).hasSize(2);
        m.release();
    }

    @Test
    void aSlowClientIsClosedPastThePendingCap() {
        upgrade("EIO=4&transport=websocket");
        serverFrames();
        EngineSocket s = sockets.get(0);
        EncodedMessage m = EncodedMessage.of(EngineWireFormats.WEBSOCKET, EngineWireFormats.textMessage(
                EngineWireFormats.WEBSOCKET, PooledByteBufAllocator.DEFAULT, "x".repeat(900)));
        List<Subscriber.Delivery> results = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            results.add(s.write(m, false)); // never flushed: the peer is not reading
        }
        m.release();
        assertThat(results).startsWith(Subscriber.Delivery.WRITTEN, Subscriber.Delivery.WRITTEN,
                Subscriber.Delivery.WRITTEN, Subscriber.Delivery.WRITTEN);
        assertThat(results.get(4)).isEqualTo(Subscriber.Delivery.REJECTED); // 5 x 904 bytes > 4000
        assertThat(results.get(5)).isEqualTo(Subscriber.Delivery.REJECTED);
        assertThat(events).containsExactly("close:transport error");
        assertThat(serverFrames()).last().isEqualTo("C:-1");
    }

    @Test
    void heartbeatOverWebSocket() {
        upgrade("EIO=4&transport=websocket");
        serverFrames();
        server.advanceTimeBy(1000, TimeUnit.MILLISECONDS);
        server.runScheduledPendingTasks();
        assertThat(serverFrames()).containsExactly("T:2");
        clientSends(new TextWebSocketFrame("3"));
        server.advanceTimeBy(1000, TimeUnit.MILLISECONDS);
        server.runScheduledPendingTasks();
        assertThat(serverFrames()).containsExactly("T:2");
        server.advanceTimeBy(500, TimeUnit.MILLISECONDS);
        server.runScheduledPendingTasks();
        assertThat(events).containsExactly("close:ping timeout");
        assertThat(serverFrames()).containsExactly("C:-1");
        assertThat(server.isActive()).isFalse();
    }

    @Test
    void aFrameOverMaxPayloadClosesWith1009() {
        upgrade("EIO=4&transport=websocket");
        serverFrames();
        clientSends(new TextWebSocketFrame("4" + "x".repeat(1000)));
        assertThat(events).containsExactly("close:transport error");
        assertThat(serverFrames()).contains("C:1009");
        assertThat(server.isActive()).isFalse();
    }

    @Test
    void aMalformedPacketIsAParseError() {
        upgrade("EIO=4&transport=websocket");
        serverFrames();
        clientSends(new TextWebSocketFrame("9nope"));
        assertThat(events).containsExactly("close:parse error");
    }

    @Test
    void aClientCloseFrameEndsTheSession() {
        upgrade("EIO=4&transport=websocket");
        serverFrames();
        clientSends(new CloseWebSocketFrame(1000, "bye"));
        assertThat(serverFrames()).containsExactly("C:-1");
        assertThat(events).containsExactly("close:transport close");
    }

    @Test
    void upgradeErrorsAnswer400WithTheMessage() {
        upgrade("EIO=4&transport=websocket&sid=AAAAAAAAAAAAAAAAAAAA");
        ByteBuf out = Unpooled.buffer();
        ByteBuf b;
        while ((b = server.readOutbound()) != null) {
            out.writeBytes(b);
            b.release();
        }
        String response = out.toString(StandardCharsets.US_ASCII);
        out.release();
        assertThat(response).startsWith("HTTP/1.1 400 Bad Request").endsWith("Session ID unknown");
        assertThat(server.isActive()).isFalse();
    }

    /** A polling connection to the same engine, as the harness for PollingSessionTest does it. */
    private EmbeddedChannel pollingConnection() {
        return polling = new EmbeddedChannel(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                FullHttpRequest r = (FullHttpRequest) msg;
                try {
                    engine.httpHandler().handle(ctx, r);
                } finally {
                    r.release();
                }
            }
        });
    }

    @Test
    void upgradeFromPollingMovesTheQueueAndRefusesPollingAfterwards() {
        pollingConnection();
        polling.writeInbound(EngineHarness.get(EngineHarness.poll(null)));
        String sid = EngineHarness.answer(polling).body().substring(9, 29);
        polling.writeInbound(EngineHarness.get(EngineHarness.poll(sid))); // waits
        assertThat(EngineHarness.answer(polling)).isNull();

        upgrade("EIO=4&transport=websocket&sid=" + sid);
        assertThat(serverFrames()).isEmpty(); // no open packet on an upgrade
        clientSends(new TextWebSocketFrame("2probe"));
        assertThat(serverFrames()).containsExactly("T:3probe");
        assertThat(EngineHarness.answer(polling).body()).isEqualTo("6"); // lets the client pause polling

        EngineSocket s = sockets.get(0);
        s.send("queued during upgrade");
        assertThat(s.transport()).isEqualTo(TransportKind.POLLING);
        polling.writeInbound(EngineHarness.get(EngineHarness.poll(sid))); // a late poll while probed
        assertThat(EngineHarness.answer(polling).body()).isEqualTo("4queued during upgrade");

        s.send("moves to the websocket");
        clientSends(new TextWebSocketFrame("5"));
        assertThat(s.transport()).isEqualTo(TransportKind.WEBSOCKET);
        assertThat(s.socketWireFormat()).isSameAs(EngineWireFormats.WEBSOCKET);
        assertThat(serverFrames()).containsExactly("T:4moves to the websocket");
        clientSends(new TextWebSocketFrame("4over ws"));
        assertThat(events).containsExactly("message:over ws");

        polling.writeInbound(EngineHarness.get(EngineHarness.poll(sid)));
        assertThat(EngineHarness.answer(polling).body()).isEqualTo("{\"code\":3,\"message\":\"Bad request\"}");
    }

    @Test
    void anUpgradeWithoutTheUpgradePacketTimesOutAndPollingGoesOn() {
        pollingConnection();
        polling.writeInbound(EngineHarness.get(EngineHarness.poll(null)));
        String sid = EngineHarness.answer(polling).body().substring(9, 29);
        upgrade("EIO=4&transport=websocket&sid=" + sid);
        clientSends(new TextWebSocketFrame("2probe"));
        assertThat(serverFrames()).containsExactly("T:3probe");
        // the session's loop is the polling connection's: its clock drives the upgrade timeout (10 s)
        polling.advanceTimeBy(10_000, TimeUnit.MILLISECONDS);
        polling.runScheduledPendingTasks();
        assertThat(serverFrames()).containsExactly("C:-1");
        assertThat(server.isActive()).isFalse();
        EngineSocket s = sockets.get(0);
        assertThat(s.transport()).isEqualTo(TransportKind.POLLING);
        assertThat(s.isOpen()).isTrue();
        assertThat(events).isEmpty();
        // polling goes on: the ping sent meanwhile waits for the next GET
        polling.writeInbound(EngineHarness.get(EngineHarness.poll(sid)));
        assertThat(EngineHarness.answer(polling).body()).isEqualTo("2");
    }
}
