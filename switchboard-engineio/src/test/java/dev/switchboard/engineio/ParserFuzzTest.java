package dev.switchboard.engineio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.testkit.LeakDetectorExtension;
import dev.switchboard.transport.HttpHandler;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzing of the Engine.IO parsers with a seeded generator (deterministic: a failure names its seed
 * and iteration, and rerunning reproduces it; bounded so the class runs in seconds on two cores):
 * random bytes and mutations of valid input (truncation, bit flips, inserted record separators,
 * invalid UTF-8, huge declared lengths, reserved bits and opcodes) into {@link PacketCodec}, the
 * polling POST path of a session, and the WebSocket frame path from raw bytes through Netty's
 * decoder and {@link WebSocketFrameHandler}.
 *
 * <p>What must hold: nothing but {@link PacketDecodeException} escapes the codec, nothing escapes a
 * channel pipeline, a borrowed buffer is left as it was, no buffer leaks (the extension, at paranoid
 * level), every session ends closed and removed, and valid input round-trips exactly.
 *
 * <p>Jazzer's JUnit integration resolves from Maven Central, but under plain {@code mvn verify} it
 * only replays committed seed files; this generator explores on every build instead.
 */
@ExtendWith(LeakDetectorExtension.class)
class ParserFuzzTest {

    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;
    private static final byte SEP = 0x1e;
    private static final int MAX_PAYLOAD = 4096;

    static LongStream seeds() {
        return LongStream.of(0x5eedL, 0xC0FFEEL, 20261126L);
    }

    // ------------------------------------------------------------------ generators

    /** Text a client could send: ASCII, Latin-1, BMP, astral (surrogate pairs); never a record separator. */
    private static String validText(SplittableRandom r, int maxLen) {
        int n = r.nextInt(maxLen + 1);
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            switch (r.nextInt(6)) {
                case 0, 1, 2 -> b.append((char) r.nextInt(0x20, 0x7f));
                case 3 -> b.append((char) r.nextInt(0xa0, 0x100));
                case 4 -> {
                    char c = (char) r.nextInt(0x100, 0xd800);
                    b.append(c);
                }
                default -> b.appendCodePoint(r.nextInt(0x10000, 0x110000));
            }
        }
        return b.toString();
    }

    private static byte[] randomBytes(SplittableRandom r, int maxLen) {
        byte[] b = new byte[r.nextInt(maxLen + 1)];
        r.nextBytes(b);
        return b;
    }

    /** A valid packet as the client encodes it for polling: type digit + text, or b + base64. */
    private record Generated(PacketType type, String text, byte[] binary) {
        String polling() {
            return binary != null ? "b" + Base64.getEncoder().encodeToString(binary) : type.digit - '0' + text;
        }
    }

    private static Generated validPacket(SplittableRandom r) {
        if (r.nextInt(4) == 0) {
            return new Generated(PacketType.MESSAGE, "", randomBytes(r, 64));
        }
        PacketType type = PacketType.values()[r.nextInt(PacketType.values().length)];
        return new Generated(type, validText(r, 40), null);
    }

    /** Bytes that are not UTF-8: a lone continuation, a truncated sequence, an overlong form, a surrogate, 0xFF. */
    private static final byte[][] BAD_UTF8 = {
        {(byte) 0x80}, {(byte) 0xc3}, {(byte) 0xe2, (byte) 0x82}, {(byte) 0xc0, (byte) 0xaf},
        {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, {(byte) 0xff}, {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
    };

    /** One mutation of {@code in}; may return {@code in} grown, shrunk or rewritten. */
    private static byte[] mutate(SplittableRandom r, byte[] in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int at = in.length == 0 ? 0 : r.nextInt(in.length + 1);
        switch (r.nextInt(8)) {
            case 0 -> { // truncate
                return java.util.Arrays.copyOf(in, at);
            }
            case 1 -> { // flip bits
                byte[] c = in.clone();
                if (c.length > 0) {
                    c[r.nextInt(c.length)] ^= (byte) (1 << r.nextInt(8));
                }
                return c;
            }
            case 2 -> { // insert record separators
                out.write(in, 0, at);
                for (int i = r.nextInt(1, 4); i > 0; i--) {
                    out.write(SEP);
                }
                out.write(in, at, in.length - at);
            }
            case 3 -> { // invalid UTF-8
                out.write(in, 0, at);
                out.writeBytes(BAD_UTF8[r.nextInt(BAD_UTF8.length)]);
                out.write(in, at, in.length - at);
            }
            case 4 -> { // random bytes in the middle
                out.write(in, 0, at);
                out.writeBytes(randomBytes(r, 8));
                out.write(in, at, in.length - at);
            }
            case 5 -> { // a binary packet with broken base64
                out.write('b');
                out.writeBytes(randomBytes(r, 12));
            }
            case 6 -> { // delete a range
                int to = at + r.nextInt(in.length - at + 1);
                out.write(in, 0, at);
                out.write(in, to, in.length - to);
            }
            default -> { // duplicate a range
                out.write(in, 0, at);
                out.write(in, 0, in.length);
            }
        }
        return out.toByteArray();
    }

    private static byte[] validPayload(SplittableRandom r, List<Generated> packets) {
        StringBuilder b = new StringBuilder();
        for (int i = r.nextInt(1, 5); i > 0; i--) {
            Generated g = validPacket(r);
            packets.add(g);
            if (b.length() > 0) {
                b.append((char) SEP);
            }
            b.append(g.polling());
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String where(long seed, int i, byte[] input) {
        return "seed " + seed + " iteration " + i + " input " + HexFormat.of().formatHex(input);
    }

    // ------------------------------------------------------------------ PacketCodec

    @ParameterizedTest
    @MethodSource("seeds")
    void textPacketsDecodeOrFailWithTheCodecsOwnError(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < 20_000; i++) {
            byte[] input = r.nextInt(3) == 0 ? randomBytes(r, 24)
                    : mutate(r, validPacket(r).polling().getBytes(StandardCharsets.UTF_8));
            String s = new String(input, StandardCharsets.UTF_8);
            try {
                Packet p = PacketCodec.decodeText(s);
                p.release();
            } catch (PacketDecodeException expected) {
                assertThat(expected.getMessage()).as(where(seed, i, input)).isNotBlank();
            } catch (RuntimeException e) {
                throw new AssertionError("decodeText threw " + e + " for " + where(seed, i, input), e);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void pollingPayloadsDecodeOrFailAndLeaveTheBodyAlone(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < 4_000; i++) {
            byte[] input = r.nextInt(4) == 0 ? randomBytes(r, 64) : mutate(r, validPayload(r, new ArrayList<>()));
            ByteBuf body = ALLOC.buffer(input.length + 8);
            body.writeBytes(new byte[] {1, 2, 3}).readerIndex(3); // a body that does not start at 0
            body.writeBytes(input);
            try {
                List<Packet> packets = PacketCodec.decodePayload(body);
                assertThat(packets).as(where(seed, i, input)).isNotEmpty();
                packets.forEach(Packet::release);
            } catch (PacketDecodeException expected) {
                // the protocol's own error
            } catch (RuntimeException e) {
                throw new AssertionError("decodePayload threw " + e + " for " + where(seed, i, input), e);
            } finally {
                assertThat(body.readerIndex()).as(where(seed, i, input)).isEqualTo(3);
                assertThat(body.refCnt()).as(where(seed, i, input)).isEqualTo(1);
                body.release();
            }
        }
    }

    /** Valid packets encoded by the server (polling, WebSocket, and the conversions between them) decode to themselves. */
    @ParameterizedTest
    @MethodSource("seeds")
    void validPacketsRoundTripThroughEveryEncoding(long seed) throws Exception {
        SplittableRandom r = new SplittableRandom(seed);
        EmbeddedChannel client = new EmbeddedChannel(new WebSocket13FrameDecoder(false, false, 1 << 20));
        for (int i = 0; i < 250; i++) {
            List<Generated> generated = new ArrayList<>();
            List<ByteBuf> polling = new ArrayList<>();
            for (int k = r.nextInt(1, 5); k > 0; k--) {
                Generated g = validPacket(r);
                generated.add(g);
                polling.add(encodePolling(g));
            }
            ByteBuf payload = PacketCodec.joinPayload(ALLOC, polling);
            try {
                List<Packet> decoded = PacketCodec.decodePayload(payload);
                assertThat(decoded).hasSameSizeAs(generated);
                for (int k = 0; k < decoded.size(); k++) {
                    assertSame(generated.get(k), decoded.get(k), seed, i);
                }
                for (int k = 0; k < polling.size(); k++) {
                    // polling -> WebSocket frame -> Netty's client decoder -> packet
                    client.writeInbound(WsFrames.fromPolling(ALLOC, polling.get(k)));
                    Object frame = client.readInbound();
                    try {
                        assertSame(generated.get(k), fromFrame(frame), seed, i);
                    } finally {
                        ReferenceCountUtil.release(frame);
                    }
                    // server's own WebSocket encoding -> back to polling form
                    ByteBuf ws = encodeWs(generated.get(k));
                    ByteBuf back = WsFrames.toPolling(ALLOC, ws);
                    try {
                        assertThat(ByteBufUtil.equals(back, polling.get(k))).as("seed %d iteration %d", seed, i).isTrue();
                    } finally {
                        back.release();
                        ws.release();
                    }
                }
            } finally {
                payload.release();
                polling.forEach(ByteBuf::release);
            }
        }
        assertThat(client.finish()).isFalse();
    }

    private static ByteBuf encodePolling(Generated g) {
        if (g.binary != null) {
            return EngineWireFormats.binaryMessage(EngineWireFormats.POLLING, ALLOC, Unpooled.wrappedBuffer(g.binary));
        }
        return PacketCodec.pollingText(ALLOC, g.type, g.text);
    }

    private static ByteBuf encodeWs(Generated g) {
        if (g.binary != null) {
            return EngineWireFormats.binaryMessage(EngineWireFormats.WEBSOCKET, ALLOC, Unpooled.wrappedBuffer(g.binary));
        }
        return PacketCodec.wsText(ALLOC, g.type, g.text);
    }

    private static Packet fromFrame(Object frame) throws PacketDecodeException {
        if (frame instanceof TextWebSocketFrame t) {
            return PacketCodec.decodeText(t.text());
        }
        return Packet.binary(((BinaryWebSocketFrame) frame).content().retain());
    }

    private static void assertSame(Generated g, Packet p, long seed, int i) {
        try {
            assertThat(p.type()).as("seed %d iteration %d", seed, i).isEqualTo(g.type);
            if (g.binary != null) {
                assertThat(p.isBinary()).isTrue();
                assertThat(ByteBufUtil.getBytes(p.binary())).as("seed %d iteration %d", seed, i).isEqualTo(g.binary);
            } else {
                assertThat(p.text()).as("seed %d iteration %d", seed, i).isEqualTo(g.text);
            }
        } finally {
            p.release();
        }
    }

    // ------------------------------------------------------------------ a session's POST path

    @ParameterizedTest
    @MethodSource("seeds")
    void pollingBodiesAreAnsweredAndOnlyCloseTheirOwnSession(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        EngineHarness h = new EngineHarness(EngineIoConfig.builder().maxPayload(MAX_PAYLOAD).build());
        EmbeddedChannel bystanderConn = h.connection();
        String bystander = h.handshake(bystanderConn);
        for (int i = 0; i < 300; i++) {
            EmbeddedChannel ch = h.connection();
            String sid = h.handshake(ch);
            List<Generated> packets = new ArrayList<>();
            byte[] valid = validPayload(r, packets);
            boolean mutated = r.nextInt(4) != 0;
            byte[] input = mutated ? mutate(r, valid) : valid;
            int before = h.events.size();
            ch.writeInbound(rawPost(sid, input));
            ch.runPendingTasks();
            EngineHarness.Answer a = EngineHarness.answer(ch);
            assertThat(a).as(where(seed, i, input)).isNotNull();
            assertThat(a.status()).as(where(seed, i, input)).isIn(200, 400, 413);
            if (a.status() != 200) {
                assertThat(h.engine.session(sid)).as(where(seed, i, input)).isNull();
            }
            if (!mutated) {
                assertThat(a.status()).as(where(seed, i, input)).isEqualTo(200);
                // Every message up to the first packet that ends the session (a client ping or close).
                List<String> expected = new ArrayList<>();
                for (Generated g : packets) {
                    if (g.type == PacketType.PING || g.type == PacketType.CLOSE) {
                        break;
                    }
                    if (g.binary != null) {
                        expected.add("binary:" + g.binary.length);
                    } else if (g.type == PacketType.MESSAGE) {
                        expected.add("message:" + g.text);
                    }
                }
                assertThat(h.events.subList(before, h.events.size()).stream()
                        .filter(e -> !e.startsWith("close:")).toList()).as(where(seed, i, input)).isEqualTo(expected);
            }
            if (h.engine.session(sid) != null) {
                // Still open, as it should be after a good body: the client's close packet ends it.
                ch.writeInbound(EngineHarness.post(EngineHarness.poll(sid), "1"));
                ch.runPendingTasks();
                assertThat(EngineHarness.answer(ch).body()).isEqualTo("ok");
            }
            assertThat(h.engine.session(sid)).as(where(seed, i, input)).isNull();
            assertThat(ch.finishAndReleaseAll()).isFalse();
        }
        assertThat(h.engine.session(bystander)).isNotNull();
        h.engine.close();
        bystanderConn.runPendingTasks();
        bystanderConn.finishAndReleaseAll();
        assertThat(h.engine.sessionCount()).isZero();
    }

    private static FullHttpRequest rawPost(String sid, byte[] body) {
        FullHttpRequest req = EngineHarness.post(EngineHarness.poll(sid), "");
        req.content().writeBytes(body);
        return req;
    }

    // ------------------------------------------------------------------ the WebSocket frame path

    /** A client frame (masked, zero key so the payload is readable) with free header bits. */
    private static void frame(ByteArrayOutputStream out, int finRsvOpcode, byte[] payload, boolean masked) {
        out.write(finRsvOpcode);
        int mask = masked ? 0x80 : 0;
        if (payload.length < 126) {
            out.write(mask | payload.length);
        } else if (payload.length <= 0xffff) {
            out.write(mask | 126);
            out.write(payload.length >>> 8);
            out.write(payload.length);
        } else {
            out.write(mask | 127);
            for (int s = 56; s >= 0; s -= 8) {
                out.write((int) ((long) payload.length >>> s));
            }
        }
        if (masked) {
            out.writeBytes(new byte[4]);
        }
        out.writeBytes(payload);
    }

    private static byte[] validFrames(SplittableRandom r, List<String> expected) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int k = r.nextInt(1, 4); k > 0; k--) {
            Generated g = validPacket(r);
            if (g.binary != null) {
                frame(out, 0x82, g.binary, true);
                expected.add("binary:" + g.binary.length);
            } else {
                // only message packets: pings/closes from a client change the session's state
                String text = "4" + g.text;
                frame(out, 0x81, text.getBytes(StandardCharsets.UTF_8), true);
                expected.add("message:" + g.text);
            }
        }
        return out.toByteArray();
    }

    /** Hostile frames: huge declared lengths, unmasked, reserved bits and opcodes, fragmented control frames, bad UTF-8. */
    private static byte[] hostileFrames(SplittableRandom r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        switch (r.nextInt(7)) {
            case 0 -> { // a 64-bit length far past maxPayload, then a few bytes
                out.write(0x81);
                out.write(0x80 | 127);
                long len = r.nextBoolean() ? Long.MAX_VALUE : MAX_PAYLOAD + 1L + r.nextInt(1 << 20);
                for (int s = 56; s >= 0; s -= 8) {
                    out.write((int) (len >>> s));
                }
                out.writeBytes(new byte[4]);
                out.writeBytes(randomBytes(r, 32));
            }
            case 1 -> frame(out, 0x81, "4unmasked".getBytes(StandardCharsets.US_ASCII), false);
            case 2 -> frame(out, 0x81 | (0x10 << r.nextInt(3)), "4rsv".getBytes(StandardCharsets.US_ASCII), true);
            case 3 -> frame(out, 0x80 | (r.nextBoolean() ? r.nextInt(3, 8) : r.nextInt(0xb, 0x10)), randomBytes(r, 10), true);
            case 4 -> frame(out, 0x09 /* ping without FIN */, randomBytes(r, 10), true);
            case 5 -> { // text with invalid UTF-8, possibly split over fragments
                ByteArrayOutputStream p = new ByteArrayOutputStream();
                p.write('4');
                p.writeBytes(BAD_UTF8[r.nextInt(BAD_UTF8.length)]);
                frame(out, r.nextBoolean() ? 0x81 : 0x01, p.toByteArray(), true);
                frame(out, 0x80, "x".getBytes(StandardCharsets.US_ASCII), true);
            }
            default -> { // fragments over maxPayload in total
                frame(out, 0x01, ("4" + "a".repeat(MAX_PAYLOAD)).getBytes(StandardCharsets.US_ASCII), true);
                frame(out, 0x80, "a".repeat(100).getBytes(StandardCharsets.US_ASCII), true);
            }
        }
        return out.toByteArray();
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void webSocketBytesNeverEscapeThePipelineNorLeak(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<String> events = new ArrayList<>();
        EngineIoServer engine = EngineIoServer.create(EngineIoConfig.builder().maxPayload(MAX_PAYLOAD).build(),
                socket -> socket.listener(new EngineSocket.Listener() {
                    @Override
                    public void onMessage(String text) {
                        events.add("message:" + text);
                    }

                    @Override
                    public void onBinary(ByteBuf data) {
                        events.add("binary:" + data.readableBytes());
                        data.release();
                    }
                }));
        for (int i = 0; i < 250; i++) {
            events.clear();
            List<String> expected = new ArrayList<>();
            byte[] input;
            int kind = r.nextInt(4);
            if (kind == 0) {
                input = validFrames(r, expected);
            } else if (kind == 1) {
                input = hostileFrames(r);
            } else if (kind == 2) {
                input = mutate(r, validFrames(r, new ArrayList<>()));
            } else {
                input = randomBytes(r, 64);
            }
            EmbeddedChannel ch = webSocket(engine);
            try {
                // In slices, as TCP may deliver them.
                int at = 0;
                while (at < input.length && ch.isOpen()) {
                    int n = Math.min(input.length - at, r.nextInt(1, 40));
                    ch.writeInbound(Unpooled.wrappedBuffer(input, at, n));
                    ch.runPendingTasks();
                    at += n;
                }
            } catch (Throwable t) {
                throw new AssertionError("the pipeline let " + t + " escape for " + where(seed, i, input), t);
            }
            if (kind == 0) {
                assertThat(events).as(where(seed, i, input)).isEqualTo(expected);
                assertThat(ch.isOpen()).isTrue();
            }
            ch.finishAndReleaseAll();
            assertThat(engine.sessionCount()).as(where(seed, i, input)).isZero();
        }
        engine.close();
    }

    /** A server connection handshaken to an Engine.IO WebSocket (the open frame already discarded). */
    private static EmbeddedChannel webSocket(EngineIoServer engine) {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.pipeline().addLast("http-codec", new HttpServerCodec());
        ch.pipeline().addLast("http-aggregator", new HttpObjectAggregator(1 << 16));
        ch.pipeline().addLast(HttpHandler.ROUTER_NAME, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                FullHttpRequest req = (FullHttpRequest) msg;
                try {
                    engine.httpHandler().handle(ctx, req);
                } finally {
                    req.release();
                }
            }
        });
        ch.writeInbound(Unpooled.copiedBuffer("GET /engine.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: localhost\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n", StandardCharsets.US_ASCII));
        ch.runPendingTasks();
        assertThat(engine.sessionCount()).isEqualTo(1);
        ch.releaseOutbound();
        return ch;
    }
}
