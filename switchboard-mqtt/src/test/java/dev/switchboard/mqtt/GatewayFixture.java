package dev.switchboard.mqtt;

import dev.switchboard.core.routing.Router;
import dev.switchboard.core.routing.Routers;
import dev.switchboard.transport.TransportConfig;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A router and an MQTT gateway on an ephemeral port of 127.0.0.1, on two NIO loops. */
final class GatewayFixture implements AutoCloseable {

    final EventLoopGroup loops = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    final Router router = Routers.local();
    final MqttServer server;
    final int port;
    final CountingMetrics metrics = new CountingMetrics();

    GatewayFixture() {
        this(MqttConfig.builder());
    }

    GatewayFixture(MqttConfig.Builder config) {
        this(config, null, 0);
    }

    /** With {@code store} (may be null) on {@code port} (0: an ephemeral one). */
    GatewayFixture(MqttConfig.Builder config, MqttStore store, int port) {
        MqttConfig c = config.host("127.0.0.1").port(port).build();
        server = store == null
                ? MqttServer.create(c, TransportConfig.builder().build(), loops, false, router, metrics)
                : MqttServer.create(c, TransportConfig.builder().build(), loops, false, router, metrics, store);
        this.port = server.start().toCompletableFuture().join().getPort();
    }

    /** Counts what the gateway reports, for tests to wait on. */
    static final class CountingMetrics implements MqttMetrics {
        final AtomicInteger connections = new AtomicInteger();
        final AtomicInteger subscriptions = new AtomicInteger();
        final AtomicInteger in = new AtomicInteger();
        final AtomicInteger out = new AtomicInteger();
        volatile java.util.function.IntSupplier offline = () -> -1;
        final Map<String, AtomicInteger> dropped = new ConcurrentHashMap<>();

        @Override
        public void connections(int delta) {
            connections.addAndGet(delta);
        }

        @Override
        public void subscriptions(int delta) {
            subscriptions.addAndGet(delta);
        }

        @Override
        public void messageIn(int qos) {
            in.incrementAndGet();
        }

        @Override
        public void messageOut(int qos) {
            out.incrementAndGet();
        }

        @Override
        public void dropped(String reason) {
            dropped.computeIfAbsent(reason, r -> new AtomicInteger()).incrementAndGet();
        }

        @Override
        public void sessionsSource(java.util.function.IntSupplier online, java.util.function.IntSupplier offline) {
            this.offline = offline;
        }

        int droppedCount(String reason) {
            AtomicInteger n = dropped.get(reason);
            return n == null ? 0 : n.get();
        }
    }

    String uri() {
        return "tcp://127.0.0.1:" + port;
    }

    @Override
    public void close() throws Exception {
        server.shutdown().toCompletableFuture().get(10, TimeUnit.SECONDS);
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
    }
}
