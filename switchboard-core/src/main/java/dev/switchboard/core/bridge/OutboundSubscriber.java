package dev.switchboard.core.bridge;

import dev.switchboard.core.message.Message;
import dev.switchboard.core.message.MessageFormatException;
import dev.switchboard.core.routing.EncodedMessage;
import dev.switchboard.core.routing.Subscriber;
import dev.switchboard.core.routing.WireFormat;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.util.concurrent.EventExecutor;

/**
 * A bridge's subscription in the router: receives the messages of its outbound rules on the bridge's
 * outbound thread and hands them to the runtime. Skips what the bridge itself published inbound, so a
 * record never comes back out to the system it came from.
 */
final class OutboundSubscriber implements Subscriber {

    private final BridgeRuntime runtime;
    private final EventExecutor executor;
    private final String id;
    private final String ownProtocol;

    OutboundSubscriber(BridgeRuntime runtime, EventExecutor executor) {
        this.runtime = runtime;
        this.executor = executor;
        this.id = Bridges.protocol(runtime.name());
        this.ownProtocol = id;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public EventExecutor executor() {
        return executor;
    }

    @Override
    public WireFormat wireFormat() {
        return BridgeFormat.INSTANCE;
    }

    /** Runs on the outbound thread; {@code encoded} is borrowed: its frame is copied out, not retained. */
    @Override
    public Delivery deliver(EncodedMessage encoded, boolean isVolatile) {
        ByteBuf frame = encoded.frame(0);
        Message message;
        try {
            message = BridgeFormat.CODEC.decode(ByteBufUtil.getBytes(frame, frame.readerIndex(), frame.readableBytes(), false));
        } catch (MessageFormatException e) {
            // Only a codec defect could get here: the frame was rendered by BridgeFormat on this node.
            runtime.outboundUnreadable(e);
            return Delivery.REJECTED;
        }
        if (ownProtocol.equals(message.originProtocol())) {
            return Delivery.WRITTEN;
        }
        return runtime.dispatchFromFabric(message) ? Delivery.WRITTEN : Delivery.REJECTED;
    }

    @Override
    public void flush() {
        // Nothing buffered: each message went to the bridge in deliver.
    }

    @Override
    public String toString() {
        return id;
    }
}
