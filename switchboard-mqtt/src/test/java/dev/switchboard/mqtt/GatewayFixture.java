package dev.switchboard.mqtt;

import dev.switchboard.core.routing.Router;
import dev.switchboard.core.routing.Routers;
import dev.switchboard.transport.TransportConfig;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.util.concurrent.TimeUnit;

/** A router and an MQTT gateway on an ephemeral port of 127.0.0.1, on two NIO loops. */
final class GatewayFixture implements AutoCloseable {

    final EventLoopGroup loops = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    final Router router = Routers.local();
    final MqttServer server;
    final int port;

    GatewayFixture() {
        this(MqttConfig.builder());
    }

    GatewayFixture(MqttConfig.Builder config) {
        server = MqttServer.create(config.host("127.0.0.1").port(0).build(), TransportConfig.builder().build(), loops,
                false, router, MqttMetrics.NONE);
        port = server.start().toCompletableFuture().join().getPort();
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
