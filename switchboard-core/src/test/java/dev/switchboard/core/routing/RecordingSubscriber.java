package dev.switchboard.core.routing;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A subscriber that keeps what it is given, as text, the way a channel would: it takes a retained
 * duplicate of each frame, reads it, and releases it. Checks it is called on its own event loop.
 */
class RecordingSubscriber implements Subscriber {

    final String id;
    final EventExecutor loop;
    volatile WireFormat format;
    volatile Delivery outcome = Delivery.WRITTEN;
    final List<String> received = new CopyOnWriteArrayList<>();
    final AtomicInteger flushes = new AtomicInteger();
    final AtomicInteger wrongThread = new AtomicInteger();

    RecordingSubscriber(String id, EventExecutor loop, WireFormat format) {
        this.id = id;
        this.loop = loop;
        this.format = format;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public EventExecutor executor() {
        return loop;
    }

    @Override
    public WireFormat wireFormat() {
        return format;
    }

    @Override
    public Delivery deliver(EncodedMessage message, boolean isVolatile) {
        if (!loop.inEventLoop()) {
            wrongThread.incrementAndGet();
        }
        Delivery d = outcome;
        if (d != Delivery.WRITTEN) {
            return d;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < message.frameCount(); i++) {
            ByteBuf dup = message.frame(i).retainedDuplicate();
            try {
                sb.append(dup.toString(StandardCharsets.UTF_8));
            } finally {
                dup.release();
            }
        }
        received.add(sb.toString());
        return Delivery.WRITTEN;
    }

    @Override
    public void flush() {
        if (!loop.inEventLoop()) {
            wrongThread.incrementAndGet();
        }
        flushes.incrementAndGet();
    }

    @Override
    public String toString() {
        return id;
    }
}
