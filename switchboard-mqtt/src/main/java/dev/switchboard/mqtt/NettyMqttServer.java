package dev.switchboard.mqtt;

import dev.switchboard.core.routing.Router;
import dev.switchboard.transport.HttpHandler;
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
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
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
            MqttMetrics metrics, MqttStore store) {
        this.config = config;
        this.transport = transport;
        this.workers = workers;
        this.epoll = epoll;
        Sessions sessions = new Sessions(store);
        RetainedStore retained = new RetainedStore(config.maxRetained(), sessions);
        metrics.retainedSource(retained::size);
        metrics.sessionsSource(sessions::online, sessions::offline);
        this.gateway = new Gateway(config, router, sessions, retained, metrics);
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
        restore().whenComplete((v, t) -> {
            if (t != null) {
                log.error("MQTT listener not started: its sessions and retained messages could not be read: {}",
                        t.toString());
                bound.completeExceptionally(t);
            } else {
                bind(b, bound);
            }
        });
        return bound;
    }

    /**
     * Reads retained messages and persistent sessions from the store: each session goes offline, subscribed
     * and queuing, as it was when the server stopped (or crashed); its expiry counts from when its client left
     * (from now for a client that was connected when the server went away).
     */
    private CompletableFuture<Void> restore() {
        MqttStore store = gateway.store();
        if (store == null) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Integer> retained = gateway.retained().load();
        CompletableFuture<Integer> sessions = store.loadSessions().toCompletableFuture().thenCompose(states -> {
            List<CompletableFuture<Long>> depths = new ArrayList<>();
            long now = System.currentTimeMillis();
            for (byte[] state : states) {
                Session s;
                try {
                    s = Session.decode(state);
                } catch (IllegalArgumentException e) {
                    log.warn("MQTT: skipping an unreadable stored session: {}", e.getMessage());
                    continue;
                }
                long left = s.disconnectedAt == 0 ? now : s.disconnectedAt;
                if (s.disconnectedAt == 0) {
                    s.disconnectedAt = now;
                }
                EventExecutor loop = workers.next();
                OfflineSubscriber off = new OfflineSubscriber(gateway, s, loop, CompletableFuture.completedFuture(null));
                gateway.sessions().restore(s, off);
                gateway.metrics().subscriptions(s.subs.size());
                loop.execute(() -> off.start(left + s.expirySeconds * 1000L - now));
                depths.add(store.depth(s.clientId).toCompletableFuture().thenApply(n -> {
                    s.stored.set(n);
                    return n;
                }));
            }
            return CompletableFuture.allOf(depths.toArray(CompletableFuture[]::new)).thenApply(v -> depths.size());
        });
        return retained.thenCombine(sessions, (r, s) -> {
            log.info("MQTT: {} retained messages and {} persistent sessions restored from the store", r, s);
            return null;
        });
    }

    private void bind(ServerBootstrap b, CompletableFuture<InetSocketAddress> bound) {
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
    }

    private void configure(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        if (ssl != null) {
            p.addLast("ssl", ssl.newHandler(ch.alloc()));
        }
        addMqttHandlers(ch, p);
    }

    /** The MQTT part of a pipeline, after the bytes' framing (TCP, TLS or WebSocket frames). */
    void addMqttHandlers(Channel ch, ChannelPipeline p) {
        connections.add(ch);
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
        // Connections end first (persistent sessions write what their clients have not acknowledged), then
        // offline sessions stop queuing, then every store write started meanwhile is waited for.
        Runnable closeAll = () -> connections.close().addListener(f -> gateway.sessions().stopOffline()
                .thenCompose(v -> gateway.sessions().drain())
                .whenComplete((v, t) -> {
                    log.info("MQTT listener stopped");
                    done.complete(null);
                }));
        if (server != null) {
            server.close().addListener(f -> closeAll.run());
        } else {
            closeAll.run();
        }
        return done;
    }

    @Override
    public HttpHandler webSocketRoute() {
        return new MqttWebSocket(this, config.maxPacketSize());
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
    public List<MqttClientInfo> clients() {
        return gateway.sessions().snapshot();
    }

    @Override
    public int offlineSessions() {
        return gateway.sessions().offline();
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
