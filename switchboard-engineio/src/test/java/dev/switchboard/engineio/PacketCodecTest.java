package dev.switchboard.engineio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.testkit.LeakDetectorExtension;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@ExtendWith(LeakDetectorExtension.class)
class PacketCodecTest {

    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    private static ByteBuf ascii(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
    }

    @Test
    void decodesEveryTextPacketType() throws Exception {
        assertThat(PacketCodec.decodeText("0{}")).isEqualTo(Packet.text(PacketType.OPEN, "{}"));
        assertThat(PacketCodec.decodeText("1").type()).isEqualTo(PacketType.CLOSE);
        assertThat(PacketCodec.decodeText("2probe")).isEqualTo(Packet.text(PacketType.PING, "probe"));
        assertThat(PacketCodec.decodeText("3").type()).isEqualTo(PacketType.PONG);
        assertThat(PacketCodec.decodeText("4héllo ✓")).isEqualTo(Packet.text(PacketType.MESSAGE, "héllo ✓"));
        assertThat(PacketCodec.decodeText("5").type()).isEqualTo(PacketType.UPGRADE);
        assertThat(PacketCodec.decodeText("6").type()).isEqualTo(PacketType.NOOP);
        assertThat(PacketCodec.decodeText("4")).isEqualTo(Packet.text(PacketType.MESSAGE, ""));
    }

    @Test
    void decodesBase64Binary() throws Exception {
        Packet p = PacketCodec.decodeText("bAAEC/w==");
        try {
            assertThat(p.isBinary()).isTrue();
            assertThat(ByteBufUtil.getBytes(p.binary())).containsExactly(0, 1, 2, 255);
        } finally {
            p.release();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "7", "9hello", "x", "{}", "b!!!!", "bA", "bAAEC/w=x"})
    void refusesMalformedPackets(String input) {
        assertThatThrownBy(() -> PacketCodec.decodeText(input)).isInstanceOf(PacketDecodeException.class);
    }

    @Test
    void base64WithLineBreaksDecodesAsEngineIoDoes() throws Exception {
        // io.socket:socket.io-client 2.x sends MIME-style base64: wrapped lines and a trailing newline.
        Packet packet = PacketCodec.decodeText("bAAEC\r\n/w==\n");
        try {
            assertThat(ByteBufUtil.getBytes(packet.binary())).containsExactly(0, 1, 2, (byte) 0xff);
        } finally {
            packet.release();
        }
        assertThatThrownBy(() -> PacketCodec.decodeText("bAAEC\n/w=.=")).hasMessageContaining("bad base64");
    }

    @Test
    void errorMessagesNameWhatWasWrong() {
        assertThatThrownBy(() -> PacketCodec.decodeText("9")).hasMessageContaining("unknown packet type '9'");
        assertThatThrownBy(() -> PacketCodec.decodeText("")).hasMessageContaining("empty packet");
        assertThatThrownBy(() -> PacketCodec.decodeText("b%%")).hasMessageContaining("bad base64");
    }

    @Test
    void decodesAPayloadOfSeveralPackets() throws Exception {
        ByteBuf body = ascii("4one\u001e2probe\u001ebAAEC/w==\u001e4");
        try {
            List<Packet> packets = PacketCodec.decodePayload(body);
            assertThat(packets).hasSize(4);
            assertThat(packets.get(0)).isEqualTo(Packet.text(PacketType.MESSAGE, "one"));
            assertThat(packets.get(1)).isEqualTo(Packet.text(PacketType.PING, "probe"));
            assertThat(packets.get(2).isBinary()).isTrue();
            assertThat(packets.get(3)).isEqualTo(Packet.text(PacketType.MESSAGE, ""));
            packets.forEach(Packet::release);
            assertThat(body.readerIndex()).isZero(); // borrowed, untouched
        } finally {
            body.release();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "4a\u001e", "\u001e4a", "4a\u001e\u001e4b", "4a\u001ebA", "4a\u001e8"})
    void refusesTruncatedOrMalformedPayloadsAndReleasesWhatWasDecoded(String input) {
        ByteBuf body = ascii(input.replace("8", "b!!"));
        try {
            assertThatThrownBy(() -> PacketCodec.decodePayload(body)).isInstanceOf(PacketDecodeException.class);
        } finally {
            body.release();
        }
    }

    @Test
    void binaryBeforeAnErrorIsReleased() {
        ByteBuf body = ascii("bAAEC\u001e9");
        try {
            assertThatThrownBy(() -> PacketCodec.decodePayload(body)).isInstanceOf(PacketDecodeException.class);
        } finally {
            body.release();
        }
        // the leak detector fails the class if the decoded binary of the first packet leaked
    }

    @Test
    void joinsPacketsWithTheRecordSeparator() {
        ByteBuf a = ascii("4a");
        ByteBuf b = ascii("bAQ==");
        ByteBuf joined = PacketCodec.joinPayload(ALLOC, List.of(a, b));
        try {
            assertThat(joined.toString(StandardCharsets.UTF_8)).isEqualTo("4a\u001ebAQ==");
        } finally {
            joined.release();
            a.release();
            b.release();
        }
    }

    /** Our hand-built server frames must be what Netty's own RFC 6455 decoder reads. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 124, 125, 126, 127, 65534, 65535, 65536, 70_000})
    void webSocketFramesDecodeWithNettysDecoder(int size) {
        String text = "x".repeat(size);
        EmbeddedChannel ch = new EmbeddedChannel(new WebSocket13FrameDecoder(false, false, 1 << 20));
        ch.writeInbound(EngineWireFormats.textMessage(EngineWireFormats.WEBSOCKET, ALLOC, text));
        TextWebSocketFrame t = ch.readInbound();
        assertThat(t.text()).isEqualTo("4" + text);
        t.release();

        ByteBuf data = ALLOC.buffer(size);
        for (int i = 0; i < size; i++) {
            data.writeByte(i);
        }
        ch.writeInbound(EngineWireFormats.binaryMessage(EngineWireFormats.WEBSOCKET, ALLOC, data));
        BinaryWebSocketFrame b = ch.readInbound();
        assertThat(ByteBufUtil.equals(b.content(), data)).isTrue();
        b.release();
        data.release();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void pollingFramesArePayloadPackets() {
        ByteBuf t = EngineWireFormats.textMessage(EngineWireFormats.POLLING, ALLOC, "hé");
        ByteBuf data = Unpooled.wrappedBuffer(new byte[] {0, 1, 2, (byte) 255});
        ByteBuf b = EngineWireFormats.binaryMessage(EngineWireFormats.POLLING, ALLOC, data);
        try {
            assertThat(t.toString(StandardCharsets.UTF_8)).isEqualTo("4hé");
            assertThat(b.toString(StandardCharsets.UTF_8)).isEqualTo("bAAEC/w==");
            assertThat(data.readerIndex()).isZero();
        } finally {
            t.release();
            b.release();
            data.release();
        }
    }

    @Test
    void convertsBetweenTheTwoWireFormats() {
        ByteBuf ws = EngineWireFormats.textMessage(EngineWireFormats.WEBSOCKET, ALLOC, "x".repeat(300));
        ByteBuf polling = WsFrames.toPolling(ALLOC, ws);
        ByteBuf back = WsFrames.fromPolling(ALLOC, polling);
        try {
            assertThat(polling.toString(StandardCharsets.UTF_8)).isEqualTo("4" + "x".repeat(300));
            assertThat(ByteBufUtil.equals(back, ws)).isTrue();
        } finally {
            ws.release();
            polling.release();
            back.release();
        }
        ByteBuf data = Unpooled.wrappedBuffer(new byte[] {9, 8, 7});
        ByteBuf wsBin = EngineWireFormats.binaryMessage(EngineWireFormats.WEBSOCKET, ALLOC, data);
        ByteBuf pollBin = WsFrames.toPolling(ALLOC, wsBin);
        ByteBuf wsAgain = WsFrames.fromPolling(ALLOC, pollBin);
        try {
            assertThat(pollBin.toString(StandardCharsets.UTF_8)).isEqualTo("bCQgH");
            assertThat(ByteBufUtil.equals(wsAgain, wsBin)).isTrue();
        } finally {
            data.release();
            wsBin.release();
            pollBin.release();
            wsAgain.release();
        }
    }
}
