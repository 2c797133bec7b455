package dev.switchboard.transport;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.cors.CorsConfigBuilder;
import io.netty.handler.codec.http.cors.CorsHandler;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Netty bootstrap behind {@link HttpServer}.
 *
 * <p>Pipeline per connection, in protocol order: [ssl] - flush consolidation - idle state - idle closer
 * - request timeouts (bytes) - HTTP codec - request timeouts (messages) - keep-alive - aggregator - [cors]
 * - router. A connection over the {@link ConnectionLimits} gets only [ssl] and a refusal (see {@link Admission}). The router is {@code @Sharable} and keeps
 * no per-connection state; everything per connection lives in the channel and its handlers.
 *
 * <p>Lifecycle: {@code start} once; {@code shutdown} any number of times (the first does the work).
 */
final class NettyHttpServer implements HttpServer {

    private static final Logger log = LoggerFactory.getLogger(NettyHttpServer.class);

    private final TransportConfig config;
    private final Map<String, HttpHandler> routes;
    private final SslContext sslContext;
    private final io.netty.handler.codec.http.cors.CorsConfig nettyCors;
    private final HttpRouter router;
    private final boolean epoll;
    private final EventLoopGroup bossGroup;
    private final EventLoopGroup workerGroup;
    /** Every open child connection, so shutdown can close what the routes left open. */
    private final ChannelGroup connections = new DefaultChannelGroup("switchboard-http", GlobalEventExecutor.INSTANCE);
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean shutdownStarted = new AtomicBoolean();
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private volatile Channel serverChannel;
    private final TransportStats stats = new TransportStats();
    private final Admission admission;

    NettyHttpServer(TransportConfig config, Map<String, HttpHandler> routes) {
        this.config = config;
        this.routes = Collections.unmodifiableMap(new LinkedHashMap<>(routes));
        this.sslContext = config.tlsEnabled() ? buildSsl(config) : null;
        this.nettyCors = config.cors().map(NettyHttpServer::toNetty).orElse(null);
        this.router = new HttpRouter(this.routes);
        this.admission = new Admission(config.limits(), stats);
        this.epoll = config.preferNative() && Epoll.isAvailable();
        IoHandlerFactory factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.bossGroup = new MultiThreadIoEventLoopGroup(1, factory);
        this.workerGroup = new MultiThreadIoEventLoopGroup(config.ioThreads(), factory);
    }

    @Override
    public CompletionStage<InetSocketAddress> start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("HttpServer already started");
        }
        Class<? extends ServerChannel> channelClass =
                epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(channelClass)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, config.allocator())
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(
                        config.writeBufferLowWaterMark(), config.writeBufferHighWaterMark()))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        configure(ch);
                    }
                });
        CompletableFuture<InetSocketAddress> bound = new CompletableFuture<>();
        ChannelFuture bind = bootstrap.bind(config.host(), config.port());
        bind.addListener(f -> {
            if (f.isSuccess()) {
                serverChannel = bind.channel();
                InetSocketAddress address = (InetSocketAddress) bind.channel().localAddress();
                log.info("HTTP listener on {} ({}{}, routes {})", address, transportName(),
                        sslContext != null ? ", TLS" : "", routes.keySet());
                bound.complete(address);
            } else {
                log.error("HTTP listener could not bind {}:{}: {}", config.host(), config.port(), f.cause().toString());
                bound.completeExceptionally(f.cause());
            }
        });
        return bound;
    }

    // Handler names, so an upgraded connection can drop what only HTTP needs.
    static final String IDLE_STATE = "idle-state";
    static final String IDLE_CLOSER = "idle-closer";
    static final String KEEP_ALIVE = "http-keep-alive";
    static final String CORS = "cors";

    private void configure(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        if (sslContext != null) {
            p.addLast("ssl", sslContext.newHandler(ch.alloc()));
        }
        if (!admission.admit(ch)) {
            return;
        }
        connections.add(ch);
        if (config.flushConsolidationLimit() > 0) {
            // consolidateWhenNoReadInProgress: fan-out writes from other loops are batched too.
            p.addLast("flush-consolidation", new FlushConsolidationHandler(config.flushConsolidationLimit(), true));
        }
        long idleMs = config.idleTimeout().toMillis();
        if (idleMs > 0) {
            p.addLast(IDLE_STATE, new IdleStateHandler(0, 0, idleMs, TimeUnit.MILLISECONDS));
            p.addLast(IDLE_CLOSER, IdleCloser.INSTANCE);
        }
        RequestTimeouts timeouts = RequestTimeouts.enabled(config.limits())
                ? new RequestTimeouts(config.limits(), stats) : null;
        if (timeouts != null) {
            p.addLast(RequestTimeouts.BYTES, timeouts.bytes());
        }
        p.addLast("http-codec", new HttpServerCodec());
        if (timeouts != null) {
            p.addLast(RequestTimeouts.MESSAGES, timeouts.messages());
        }
        p.addLast(KEEP_ALIVE, new HttpServerKeepAliveHandler());
        p.addLast("http-aggregator", new RoutingAggregator(config.maxContentLength(), router));
        if (nettyCors != null) {
            p.addLast(CORS, new CorsHandler(nettyCors));
        }
        p.addLast(HttpHandler.ROUTER_NAME, router);
    }

    /** See {@link HttpHandler#trimAfterWebSocketUpgrade}. */
    static void trimAfterWebSocketUpgrade(ChannelPipeline p, boolean protocolHeartbeat) {
        removeIfPresent(p, KEEP_ALIVE);
        removeIfPresent(p, RequestTimeouts.BYTES);
        removeIfPresent(p, RequestTimeouts.MESSAGES);
        removeIfPresent(p, CORS);
        if (protocolHeartbeat) {
            removeIfPresent(p, IDLE_STATE); // cancels its scheduled timeout task
            removeIfPresent(p, IDLE_CLOSER);
        }
    }

    private static void removeIfPresent(ChannelPipeline p, String name) {
        if (p.get(name) != null) {
            p.remove(name);
        }
    }

    @Override
    public CompletionStage<Void> shutdown() {
        if (!shutdownStarted.compareAndSet(false, true)) {
            return terminated;
        }
        long boundMs = config.shutdownTimeout().toMillis();
        Channel server = serverChannel;
        CompletableFuture<Void> unbound = new CompletableFuture<>();
        if (server != null) {
            server.close().addListener(f -> unbound.complete(null));
        } else {
            unbound.complete(null);
        }
        unbound.thenCompose(ignored -> {
            List<CompletableFuture<Void>> closes = new ArrayList<>();
            for (HttpHandler h : new LinkedHashSet<>(routes.values())) {
                try {
                    closes.add(h.shutdown().toCompletableFuture());
                } catch (RuntimeException e) {
                    log.warn("route shutdown failed: {}", e.toString());
                }
            }
            return CompletableFuture.allOf(closes.toArray(CompletableFuture[]::new))
                    .completeOnTimeout(null, boundMs, TimeUnit.MILLISECONDS)
                    .exceptionally(e -> null);
        }).thenCompose(ignored -> {
            int left = connections.size();
            if (left > 0) {
                log.info("HTTP listener closing {} remaining connection(s)", left);
            }
            CompletableFuture<Void> closed = new CompletableFuture<>();
            connections.close().addListener(f -> closed.complete(null));
            return closed;
        }).whenComplete((ignored, e) -> {
            // Quiet period 0: the routes already had their grace period above.
            io.netty.util.concurrent.Future<?> boss = bossGroup.shutdownGracefully(0, boundMs, TimeUnit.MILLISECONDS);
            io.netty.util.concurrent.Future<?> workers =
                    workerGroup.shutdownGracefully(0, boundMs, TimeUnit.MILLISECONDS);
            boss.addListener(b -> workers.addListener(w -> {
                log.info("HTTP listener stopped");
                terminated.complete(null);
            }));
        });
        return terminated;
    }

    @Override
    public EventLoopGroup eventLoopGroup() {
        return workerGroup;
    }

    @Override
    public String transportName() {
        return epoll ? "epoll" : "nio";
    }

    @Override
    public Map<String, HttpHandler> routes() {
        return routes;
    }

    @Override
    public TransportStats stats() {
        return stats;
    }

    private static SslContext buildSsl(TransportConfig config) {
        try {
            return SslContextBuilder.forServer(
                    config.tlsCertificate().orElseThrow().toFile(),
                    config.tlsPrivateKey().orElseThrow().toFile()).build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot load TLS certificate/key: " + e.getMessage(), e);
        }
    }

    private static io.netty.handler.codec.http.cors.CorsConfig toNetty(CorsConfig cors) {
        CorsConfigBuilder b = cors.isAnyOrigin()
                ? CorsConfigBuilder.forAnyOrigin()
                : CorsConfigBuilder.forOrigins(cors.origins().toArray(String[]::new));
        if (cors.allowCredentials()) {
            b.allowCredentials();
        }
        b.allowedRequestMethods(HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.OPTIONS);
        b.allowedRequestHeaders(cors.allowedHeaders().toArray(String[]::new));
        if (!cors.maxAge().isZero()) {
            b.maxAge(cors.maxAge().toSeconds());
        }
        return b.build();
    }
}
