package dev.switchboard.engineio;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.switchboard.testkit.LeakDetectorExtension;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fuzz target of Engine.IO's parsing: a polling POST body (packets joined by {@code \x1e}, binaries as
 * {@code b} + base64) and single text packets (WebSocket frames). Any input must give packets or a
 * {@link PacketDecodeException}, never another exception, and every buffer must be released (the leak
 * detector runs at paranoid). Runs on its seeds ({@code PayloadFuzzTestInputs/}) in every build; fuzz it
 * with {@code JAZZER_FUZZ=1} (see docs/security.md).
 */
@ExtendWith(LeakDetectorExtension.class)
class PayloadFuzzTest {

    @FuzzTest(maxDuration = "5m")
    void pollingPayload(byte[] body) {
        ByteBuf buf = Unpooled.wrappedBuffer(body);
        try {
            List<Packet> packets = PacketCodec.decodePayload(buf);
            packets.forEach(Packet::release);
        } catch (PacketDecodeException expected) {
            // the protocol's own refusal: the session answers 400 and closes
        } finally {
            buf.release();
        }
    }

    @FuzzTest(maxDuration = "5m")
    void textPacket(String frame) {
        if (frame == null) {
            return; // a WebSocket text frame is never null
        }
        try {
            PacketCodec.decodeText(frame).release();
        } catch (PacketDecodeException expected) {
            // refused
        }
    }
}
