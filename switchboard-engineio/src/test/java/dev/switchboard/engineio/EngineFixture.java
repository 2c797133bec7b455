package dev.switchboard.engineio;

import dev.switchboard.engineio.echo.EngineEcho;
import dev.switchboard.transport.CorsConfig;
import dev.switchboard.transport.HttpServer;
import dev.switchboard.transport.TransportConfig;
import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * An in-process Engine.IO server on 127.0.0.1:0 for the tests, speaking a tiny command language so
 * client scripts can drive the server side: {@code tag:NAME} names the session (its close reason is
 * recorded under that name), {@code close} makes the server close the session, {@code binary:N}
 * sends N bytes (i % 256), anything else is echoed; binary is echoed as binary.
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
        this(config, null);
    }

    EngineFixture(EngineIoConfig config, CorsConfig cors) {
        engine = EngineIoServer.create(config, this::onConnection);
        TransportConfig.Builder t = EngineEcho.forEngine(
                TransportConfig.builder().host("127.0.0.1").port(0).ioThreads(1), config);
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
                } else if (text.startsWith("binary:")) {
                    int n = Integer.parseInt(text.substring(7));
                    ByteBuf b = io.netty.buffer.PooledByteBufAllocator.DEFAULT.buffer(n);
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
