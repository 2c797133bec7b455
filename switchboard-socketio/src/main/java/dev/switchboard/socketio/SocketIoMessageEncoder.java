package dev.switchboard.socketio;

import dev.switchboard.core.routing.EncodedMessage;
import dev.switchboard.core.routing.MessageEncoder;
import dev.switchboard.core.routing.WireFormat;
import dev.switchboard.engineio.EngineWireFormats;
import dev.switchboard.socketio.protocol.PacketEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.List;

/**
 * Turns one Socket.IO packet, already encoded to text and attachments (once per publication), into the
 * Engine.IO frames of a wire format: the text as a message packet, then one binary message per
 * attachment.
 */
final class SocketIoMessageEncoder implements MessageEncoder {

    private final PacketEncoder.Encoded packet;

    SocketIoMessageEncoder(PacketEncoder.Encoded packet) {
        this.packet = packet;
    }

    @Override
    public EncodedMessage encode(WireFormat format, ByteBufAllocator alloc) {
        List<byte[]> attachments = packet.attachments();
        ByteBuf[] frames = new ByteBuf[1 + attachments.size()];
        try {
            frames[0] = EngineWireFormats.textMessage(format, alloc, packet.text());
            for (int i = 0; i < attachments.size(); i++) {
                frames[i + 1] = EngineWireFormats.binaryMessage(format, alloc, Unpooled.wrappedBuffer(attachments.get(i)));
            }
        } catch (RuntimeException e) {
            for (ByteBuf f : frames) {
                if (f != null) {
                    f.release();
                }
            }
            throw e;
        }
        return EncodedMessage.of(format, frames);
    }
}
