package dev.switchboard.mqtt;

import dev.switchboard.core.routing.Router;
import dev.switchboard.transport.TransportConfig;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Netty bootstrap behind {@link MqttServer}.
 *
 * <p>Pipeline per connection, in protocol order: [ssl] - MQTT decoder (bounded by the maximum packet size;
 * a malformed or oversized packet becomes a message with a failed decoder result, and the decoder then
 * discards the rest of that connection's input) - MQTT encoder - idle (the connect timeout, replaced
 * after CONNECT by 1.5 × keep alive) - the connection ({@link MqttConnection}).
 */
final class NettyMqttServer implements MqttServer {

    private static final Logger log = LoggerFactory.getLogger(NettyMqttServer.class);

    /** MQTT 3.1.1 allows 23-byte client ids and lets servers take more; 5.0 up to 65535. This bounds memory. */
    private static final int MAX_CLIENT_ID_LENGTH = 256;

    private final MqttConfig config;
    private final TransportConfig transport;
    private final EventLoopGroup workers;
    private final boolean epoll;
    private final Gateway gateway;
    private final SslContext ssl;
    private final ChannelGroup connections = new DefaultChannelGroup("switchboard-mqtt", GlobalEventExecutor.INSTANCE);
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile Channel serverChannel;

    NettyMqttServer(MqttConfig config, TransportConfig transport, EventLoopGroup workers, boolean epoll, Router router,
            MqttMetrics metrics) {
        this.config = config;
        this.transport = transport;
        this.workers = workers;
        this.epoll = epoll;
        RetainedStore retained = new RetainedStore(config.maxRetained());
        metrics.retainedSource(retained::size);
        this.gateway = new Gateway(config, router, new Sessions(), retained, metrics);
        this.ssl = transport.tlsEnabled() ? buildSsl(transport) : null;
        router.register(MqttRenderer.FORMAT, MqttRenderer.INSTANCE);
    }

    @Override
    public CompletionStage<InetSocketAddress> start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("MqttServer already started");
        }
        ServerBootstrap b = new ServerBootstrap()
                .group(workers)
                .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, transport.allocator())
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(
                        transport.writeBufferLowWaterMark(), transport.writeBufferHighWaterMark()))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        configure(ch);
                    }
                });
        CompletableFuture<InetSocketAddress> bound = new CompletableFuture<>();
        b.bind(config.host(), config.port()).addListener((io.netty.channel.ChannelFutureListener) f -> {
            if (f.isSuccess()) {
                serverChannel = f.channel();
                InetSocketAddress a = (InetSocketAddress) f.channel().localAddress();
                log.info("MQTT listener on {} ({}{}, namespace {})", a, epoll ? "epoll" : "nio",
                        ssl != null ? ", TLS" : "", config.namespace());
                bound.complete(a);
            } else {
                log.error("MQTT listener could not bind {}:{}: {}", config.host(), config.port(), f.cause().toString());
                bound.completeExceptionally(f.cause());
            }
        });
        return bound;
    }

    private void configure(SocketChannel ch) {
        connections.add(ch);
        ChannelPipeline p = ch.pipeline();
        if (ssl != null) {
            p.addLast("ssl", ssl.newHandler(ch.alloc()));
        }
        p.addLast("mqtt-decoder", new MqttDecoder(config.maxPacketSize(), MAX_CLIENT_ID_LENGTH));
        p.addLast("mqtt-encoder", MqttEncoder.INSTANCE);
        p.addLast(MqttConnection.IDLE,
                new IdleStateHandler(config.connectTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS));
        p.addLast("mqtt-connection", new MqttConnection(gateway));
    }

    @Override
    public CompletionStage<Void> shutdown() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Channel server = serverChannel;
        Runnable closeAll = () -> connections.close().addListener(f -> {
            log.info("MQTT listener stopped");
            done.complete(null);
        });
        if (server != null) {
            server.close().addListener(f -> closeAll.run());
        } else {
            closeAll.run();
        }
        return done;
    }

    @Override
    public boolean isRunning() {
        Channel c = serverChannel;
        return c != null && c.isActive();
    }

    @Override
    public int connectedClients() {
        return gateway.sessions().size();
    }

    @Override
    public int retainedCount() {
        return gateway.retained().size();
    }

    private static SslContext buildSsl(TransportConfig t) {
        try {
            return SslContextBuilder.forServer(t.tlsCertificate().orElseThrow().toFile(),
                    t.tlsPrivateKey().orElseThrow().toFile()).build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot load TLS certificate/key: " + e.getMessage(), e);
        }
    }
}
