package dev.switchboard.socketio.protocol;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzz target of Socket.IO's packet parsing: a text packet, optionally followed by binary attachments.
 * Any input must give a packet (or wait for attachments) or a {@link PacketParseException}, never another
 * exception. Runs on its seeds ({@code PacketDecoderJazzerTestInputs/}) in every build; fuzz it with
 * {@code JAZZER_FUZZ=1} (see docs/security.md).
 */
class PacketDecoderJazzerTest {

    @FuzzTest(maxDuration = "5m")
    void packets(FuzzedDataProvider data) {
        PacketDecoder decoder = new PacketDecoder(Payloads.defaultMapper(), PacketDecoder.DEFAULT_MAX_ATTACHMENTS);
        try {
            decoder.decodeText(data.consumeString(4096));
            int attachments = data.consumeInt(0, 3);
            for (int i = 0; i < attachments && data.remainingBytes() > 0; i++) {
                decoder.decodeBinary(data.consumeBytes(256));
            }
            if (data.remainingBytes() > 0) {
                decoder.decodeText(data.consumeRemainingAsString());
            }
        } catch (PacketParseException expected) {
            // the protocol's own refusal: the connection closes with "parse error"
        }
    }
}
