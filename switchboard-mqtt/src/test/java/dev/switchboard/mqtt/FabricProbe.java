package dev.switchboard.mqtt;

import dev.switchboard.core.message.Message;
import dev.switchboard.core.routing.EncodedMessage;
import dev.switchboard.core.routing.MessageRenderer;
import dev.switchboard.core.routing.Subscriber;
import dev.switchboard.core.routing.WireFormat;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.BlockingQueue;

/**
 * A fabric subscriber of one room that records the {@link Message}s published to it, as another protocol
 * (Socket.IO, a bridge) would see them: it renders each message into a frame that carries nothing but the
 * message itself.
 */
final class FabricProbe implements Subscriber, AutoCloseable {

    private static final WireFormat FORMAT = () -> "probe";

    private final GatewayFixture gw;
    private final EventExecutor loop;
    private final BlockingQueue<Message> seen;
    private Message last;

    private FabricProbe(GatewayFixture gw, BlockingQueue<Message> seen) {
        this.gw = gw;
        this.loop = gw.loops.next();
        this.seen = seen;
    }

    static FabricProbe subscribe(GatewayFixture gw, String room, BlockingQueue<Message> seen) {
        FabricProbe p = new FabricProbe(gw, seen);
        MessageRenderer renderer = (message, format, alloc) -> {
            p.last = message;
            return EncodedMessage.of(format, alloc.buffer(0));
        };
        gw.router.register(FORMAT, renderer);
        gw.router.subscribe("/", room, p);
        return p;
    }

    @Override
    public String id() {
        return "probe";
    }

    @Override
    public EventExecutor executor() {
        return loop;
    }

    @Override
    public WireFormat wireFormat() {
        return FORMAT;
    }

    @Override
    public Delivery deliver(EncodedMessage message, boolean isVolatile) {
        seen.add(last);
        return Delivery.WRITTEN;
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
        gw.router.detach("/", this);
    }
}
