package dev.switchboard.engineio;

import dev.switchboard.transport.CorsConfig;
import dev.switchboard.transport.HttpServer;
import dev.switchboard.transport.TransportConfig;
import dev.switchboard.core.routing.EncodedMessage;
import dev.switchboard.core.routing.Subscriber;
import dev.switchboard.core.routing.WireFormat;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * An in-process Engine.IO server on 127.0.0.1:0 for the tests, speaking a tiny command language so
 * client scripts can drive the server side: {@code tag:NAME} names the session (its close reason is
 * recorded under that name), {@code close} makes the server close the session, {@code binary:N}
 * sends N bytes (i % 256), {@code fanout:TEXT} sends TEXT through the encode-once path
 * ({@link EngineSocket#write} of an {@link EncodedMessage} in the socket's wire format, then
 * {@code flush}), anything else is echoed; binary is echoed as binary.
 */
final class EngineFixture implements AutoCloseable {

    final EngineIoServer engine;
    final HttpServer http;
    final InetSocketAddress address;
    /** tag -> "reason|detail", recorded on close. */
    final Map<String, String> closes = new ConcurrentHashMap<>();
    /** tag -> transport at close. */
    final Map<String, TransportKind> upgrades = new ConcurrentHashMap<>();

    EngineFixture(EngineIoConfig config) {
        this(config, null, 1);
    }

    /** {@code ioThreads} above 1 spreads a session's connections over loops (cross-loop hand-over). */
    EngineFixture(EngineIoConfig config, CorsConfig cors, int ioThreads) {
        engine = EngineIoServer.create(config, this::onConnection);
        TransportConfig.Builder t = EngineIoServer.fitTransport(
                TransportConfig.builder().host("127.0.0.1").port(0).ioThreads(ioThreads), config);
        if (cors != null) {
            t.cors(cors);
        }
        http = HttpServer.builder(t.build()).route(config.path(), engine.httpHandler()).build();
        address = http.start().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
    }

    String url() {
        return "http://127.0.0.1:" + address.getPort();
    }

    private void onConnection(EngineSocket socket) {
        String[] tag = {null};
        socket.listener(new EngineSocket.Listener() {
            @Override
            public void onMessage(String text) {
                if (text.startsWith("tag:")) {
                    tag[0] = text.substring(4);
                    socket.send("tagged");
                } else if (text.equals("close")) {
                    socket.close();
                } else if (text.startsWith("fanout:")) {
                    WireFormat format = socket.socketWireFormat();
                    EncodedMessage m = EncodedMessage.of(format, EngineWireFormats.textMessage(
                            format, PooledByteBufAllocator.DEFAULT, text.substring(7)));
                    try {
                        if (socket.write(m, false) != Subscriber.Delivery.WRITTEN) {
                            throw new IllegalStateException("fan-out write refused");
                        }
                        socket.flush();
                    } finally {
                        m.release();
                    }
                } else if (text.startsWith("binary:")) {
                    int n = Integer.parseInt(text.substring(7));
                    ByteBuf b = PooledByteBufAllocator.DEFAULT.buffer(n);
                    for (int i = 0; i < n; i++) {
                        b.writeByte(i);
                    }
                    socket.send(b);
                } else {
                    socket.send(text);
                }
            }

            @Override
            public void onBinary(ByteBuf data) {
                socket.send(data);
            }

            @Override
            public void onUpgrade(TransportKind transport) {
                if (tag[0] != null) {
                    upgrades.put(tag[0], transport);
                }
            }

            @Override
            public void onClose(CloseReason reason, String detail) {
                if (tag[0] != null) {
                    closes.put(tag[0], reason.text() + "|" + detail);
                }
            }
        });
    }

    @Override
    public void close() {
        http.shutdown().toCompletableFuture().orTimeout(20, TimeUnit.SECONDS).join();
    }
}
