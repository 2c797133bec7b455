package dev.switchboard.engineio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.routing.EncodedMessage;
import dev.switchboard.testkit.LeakDetectorExtension;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** permessage-deflate frames as RFC 7692 section 7.2 wants them, made once per message. */
@ExtendWith(LeakDetectorExtension.class)
class WsDeflateTest {

    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;

    @Test
    void aCompressedFrameHasRsv1AndInflatesToThePayload() throws Exception {
        String text = "{\"user\":\"ada\",\"text\":\"hello there\"}".repeat(300);
        ByteBuf frame = PacketCodec.wsText(alloc, PacketType.MESSAGE, text);
        ByteBuf compressed = WsDeflate.compress(alloc, frame);
        try {
            int first = compressed.getByte(compressed.readerIndex()) & 0xff;
            assertThat(first).isEqualTo(0x80 | 0x40 | WsFrames.OPCODE_TEXT); // FIN, RSV1, text
            int offset = WsFrames.payloadOffset(compressed);
            int length = compressed.readableBytes() - offset;
            assertThat(length).isLessThan(text.length() / 10);
            // a receiver appends 00 00 ff ff and inflates (section 7.2.2)
            byte[] deflated = new byte[length + 4];
            compressed.getBytes(compressed.readerIndex() + offset, deflated, 0, length);
            deflated[length + 2] = (byte) 0xff;
            deflated[length + 3] = (byte) 0xff;
            Inflater inflater = new Inflater(true);
            inflater.setInput(deflated);
            byte[] out = new byte[text.length() + 16];
            int n = inflater.inflate(out);
            inflater.end();
            assertThat(new String(out, 0, n, StandardCharsets.UTF_8)).isEqualTo("4" + text);
            // the frame itself is not changed
            assertThat(frame.getByte(frame.readerIndex()) & 0xff).isEqualTo(0x80 | WsFrames.OPCODE_TEXT);
        } finally {
            compressed.release();
            frame.release();
        }
    }

    @Test
    void incompressibleBytesStayAsTheyAre() {
        byte[] noise = new byte[4096];
        new java.util.Random(7).nextBytes(noise);
        ByteBuf data = alloc.buffer().writeBytes(noise);
        ByteBuf frame = EngineWireFormats.binaryMessage(EngineWireFormats.WEBSOCKET, alloc, data);
        ByteBuf out = WsDeflate.compress(alloc, frame);
        try {
            assertThat(out.getByte(out.readerIndex()) & 0x40).as("no RSV1").isZero();
            assertThat(ByteBufEquals.same(out, frame)).isTrue();
        } finally {
            out.release();
            frame.release();
            data.release();
        }
    }

    @Test
    void aBroadcastIsCompressedOnceAndReleasedWithItsMessage() {
        ByteBuf frame = PacketCodec.wsText(alloc, PacketType.MESSAGE, "z".repeat(5000));
        EncodedMessage message = EncodedMessage.of(EngineWireFormats.WEBSOCKET, true, frame);
        AtomicInteger calls = new AtomicInteger();
        ByteBuf a = message.compressedFrame(0, f -> {
            calls.incrementAndGet();
            return WsDeflate.compress(alloc, f);
        });
        ByteBuf b = message.compressedFrame(0, f -> {
            calls.incrementAndGet();
            return WsDeflate.compress(alloc, f);
        });
        assertThat(b).isSameAs(a);
        assertThat(calls).hasValue(1);
        assertThat(message.compress()).isTrue();
        message.release();
        assertThat(a.refCnt()).isZero();
        assertThat(frame.refCnt()).isZero();
    }

    /** Byte equality of the readable parts. */
    private static final class ByteBufEquals {
        static boolean same(ByteBuf x, ByteBuf y) {
            return io.netty.buffer.ByteBufUtil.equals(x, y);
        }
    }
}
