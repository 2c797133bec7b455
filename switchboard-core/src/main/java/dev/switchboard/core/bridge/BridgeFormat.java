package dev.switchboard.core.bridge;

import dev.switchboard.core.message.Message;
import dev.switchboard.core.message.MessageCodec;
import dev.switchboard.core.routing.EncodedMessage;
import dev.switchboard.core.routing.MessageRenderer;
import dev.switchboard.core.routing.WireFormat;
import io.netty.buffer.ByteBufAllocator;

/**
 * The wire format of every bridge's outbound subscriber: the message in {@link MessageCodec}'s binary form,
 * which a bridge reads back into a {@link Message}. Rendered once per publication that reaches any bridge
 * on this node (not once per bridge), like any other format.
 */
final class BridgeFormat implements WireFormat, MessageRenderer {

    static final BridgeFormat INSTANCE = new BridgeFormat();
    static final MessageCodec CODEC = MessageCodec.standard();

    private BridgeFormat() {}

    @Override
    public String name() {
        return "bridge";
    }

    /** One frame from {@code alloc}, owned by the returned message. */
    @Override
    public EncodedMessage render(Message message, WireFormat format, ByteBufAllocator alloc) {
        byte[] bytes = CODEC.encode(message);
        io.netty.buffer.ByteBuf frame = alloc.buffer(bytes.length);
        frame.writeBytes(bytes);
        return EncodedMessage.of(this, frame);
    }
}
