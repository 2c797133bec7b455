package dev.switchboard.socketio;

import dev.switchboard.core.routing.EncodedMessage;
import dev.switchboard.core.routing.Subscriber;
import dev.switchboard.core.routing.WireFormat;
import dev.switchboard.engineio.CloseReason;
import dev.switchboard.engineio.EngineSocket;
import dev.switchboard.engineio.EngineWireFormats;
import dev.switchboard.engineio.Handshake;
import dev.switchboard.engineio.TransportKind;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An in-memory Engine.IO session for unit tests of the Socket.IO layer: what the server sends lands in
 * {@link #next()} (text without the Engine.IO {@code 4}, or {@code byte[]}), and {@link #receive}
 * delivers a client packet on the session's loop. Over the POLLING wire format, so broadcasts through
 * the Router are decoded here too.
 */
final class FakeSession implements EngineSocket {

    private static int counter;

    private final String id = "fake" + (++counter);
    private final EventLoop loop;
    private final Handshake handshake;
    private final BlockingQueue<Object> out = new LinkedBlockingQueue<>();
    private volatile Listener listener = new Listener() {};
    private volatile boolean open = true;
    volatile boolean writable = true;
    volatile CloseReason closedWith;

    FakeSession(EventLoop loop) {
        this.loop = loop;
        DefaultHttpHeaders headers = new DefaultHttpHeaders();
        headers.add("user-agent", "fake");
        this.handshake = new Handshake(headers, Map.of("EIO", "4", "transport", "polling"),
                new InetSocketAddress("127.0.0.1", 40000), false, System.currentTimeMillis(), "/socket.io/?EIO=4");
    }

    /** Delivers a client text packet (Socket.IO encoding) on the loop. */
    void receive(String text) {
        loop.execute(() -> {
            if (open) {
                listener.onMessage(text);
            }
        });
    }

    void receiveBinary(byte[] bytes) {
        loop.execute(() -> {
            if (open) {
                listener.onBinary(Unpooled.wrappedBuffer(bytes));
            }
        });
    }

    /** The client went away. */
    void drop() {
        loop.execute(() -> closeWith(CloseReason.TRANSPORT_CLOSE));
    }

    /** The next thing the server sent, waiting up to 5 s. */
    Object next() throws InterruptedException {
        Object o = out.poll(10, TimeUnit.SECONDS);
        if (o == null) {
            throw new AssertionError("nothing received within 10 s by " + id);
        }
        return o;
    }

    String nextText() throws InterruptedException {
        return (String) next();
    }

    /** What arrives within {@code ms}, or null. */
    Object poll(long ms) throws InterruptedException {
        return out.poll(ms, TimeUnit.MILLISECONDS);
    }

    private void closeWith(CloseReason reason) {
        if (open) {
            open = false;
            closedWith = reason;
            listener.onClose(reason, "");
        }
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public TransportKind transport() {
        return TransportKind.POLLING;
    }

    @Override
    public Handshake handshake() {
        return handshake;
    }

    @Override
    public EventLoop eventLoop() {
        return loop;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public boolean isWritable() {
        return writable;
    }

    @Override
    public void send(String text) {
        if (open) {
            out.add(text);
        }
    }

    @Override
    public void send(ByteBuf data) {
        try {
            if (open) {
                out.add(ByteBufUtil.getBytes(data));
            }
        } finally {
            data.release();
        }
    }

    @Override
    public void close() {
        if (loop.inEventLoop()) {
            closeWith(CloseReason.FORCED_CLOSE);
        } else {
            loop.execute(() -> closeWith(CloseReason.FORCED_CLOSE));
        }
    }

    @Override
    public void listener(Listener listener) {
        this.listener = listener;
    }

    @Override
    public WireFormat socketWireFormat() {
        return EngineWireFormats.POLLING;
    }

    @Override
    public Subscriber.Delivery write(EncodedMessage message, boolean isVolatile) {
        if (!open || message.format() != EngineWireFormats.POLLING) {
            return Subscriber.Delivery.REJECTED;
        }
        if (isVolatile && !writable) {
            return Subscriber.Delivery.DROPPED_VOLATILE;
        }
        for (int i = 0; i < message.frameCount(); i++) {
            String f = message.frame(i).toString(StandardCharsets.UTF_8);
            if (f.startsWith("4")) {
                out.add(f.substring(1));
            } else if (f.startsWith("b")) {
                out.add(Base64.getDecoder().decode(f.substring(1)));
            } else {
                throw new AssertionError("unexpected frame " + f);
            }
        }
        return Subscriber.Delivery.WRITTEN;
    }

    @Override
    public void flush() {}
}
