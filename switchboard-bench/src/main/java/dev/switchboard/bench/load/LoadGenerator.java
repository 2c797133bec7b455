package dev.switchboard.bench.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens and holds many Socket.IO connections to one server on this machine.
 *
 * <p>Connections are spread round-robin over the source addresses 127.0.0.2, 127.0.0.3, ... (each
 * bound with port 0, so each address has its own ephemeral port range) to pass the ~28k ports one
 * source address allows. Connect attempts are paced at a given rate with a cap on attempts in flight,
 * and stop at the first failure that points at a limit of this machine ({@link ConnectFailure#localLimit()}),
 * which the report names with its numbers.
 *
 * <p>The generator has a hard lifetime ({@link LoadConfig#maxDuration()}): when it passes, every
 * connection is closed and the event loops shut down, whatever the caller is doing.
 */
public final class LoadGenerator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LoadGenerator.class);

    private final LoadConfig config;
    private final EventLoopGroup group;
    private final ChannelGroup channels;
    private final InetAddress[] sources;
    private final AtomicInteger nextSource = new AtomicInteger();
    private final URI wsUri;
    private final java.util.concurrent.atomic.LongAdder pollingReconnects = new java.util.concurrent.atomic.LongAdder();
    private final Thread reaper;
    private volatile boolean expired;

    private LoadGenerator(LoadConfig config) {
        this.config = config;
        this.group = new MultiThreadIoEventLoopGroup(config.ioThreads(), NioIoHandler.newFactory());
        this.channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
        this.sources = new InetAddress[config.sourceAddresses()];
        for (int i = 0; i < sources.length; i++) {
            try {
                sources[i] = InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) (2 + i)});
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
        this.wsUri = URI.create("ws://" + config.host().getHostAddress() + ":" + config.port() + config.path()
                + "?EIO=4&transport=websocket");
        long deadline = System.nanoTime() + config.maxDuration().toNanos();
        this.reaper = new Thread(() -> {
            while (System.nanoTime() < deadline) {
                LockSupport.parkNanos(Math.min(deadline - System.nanoTime(), TimeUnit.SECONDS.toNanos(1)));
                if (Thread.currentThread().isInterrupted()) {
                    return;
                }
            }
            expired = true;
            LOG.warn("load generator to port {} reached its duration bound of {}: closing {} connections",
                    config.port(), config.maxDuration(), channels.size());
            shutdown();
        }, "load-reaper-" + config.port());
        reaper.setDaemon(true);
    }

    /** Starts the event loops and the lifetime bound. */
    public static LoadGenerator start(LoadConfig config) {
        LoadGenerator g = new LoadGenerator(config);
        g.reaper.start();
        return g;
    }

    public LoadConfig config() {
        return config;
    }

    /** True once the duration bound has passed; scenarios check it to end early. */
    public boolean expired() {
        return expired;
    }

    /** Connections currently open. */
    public int openConnections() {
        return channels.size();
    }

    /**
     * Opens one WebSocket connection and connects to namespace {@code /}.
     *
     * @param authJson the CONNECT auth object (JSON), or null for none
     * @param listener receives events from the first one on ({@code auth} comes right after CONNECT)
     * @return completes when the CONNECT reply arrives; fails with the cause otherwise
     */
    public CompletableFuture<SioClient> connect(String authJson, SioClient.EventListener listener) {
        if (expired) {
            return CompletableFuture.failedFuture(new IllegalStateException("load generator expired"));
        }
        AtomicReference<SioClient> ref = new AtomicReference<>();
        CompletableFuture<SioClient> result = new CompletableFuture<>();
        WebSocketClientProtocolConfig ws = WebSocketClientProtocolConfig.newBuilder()
                .webSocketUri(wsUri)
                .version(WebSocketVersion.V13)
                .maxFramePayloadLength(config.maxFramePayload())
                .handshakeTimeoutMillis(config.handshakeTimeout().toMillis())
                .dropPongFrames(true)
                .build();
        Bootstrap b = bootstrap().handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                SioClient client = new SioClient(ch, listener);
                ref.set(client);
                ch.pipeline().addLast("http", new HttpClientCodec());
                ch.pipeline().addLast("aggregator", new HttpObjectAggregator(16 * 1024));
                ch.pipeline().addLast("websocket", new WebSocketClientProtocolHandler(ws));
                ch.pipeline().addLast("socketio", new SioClientHandler(client, authJson));
                client.ready().whenComplete((c, t) -> {
                    if (t == null) {
                        result.complete(c);
                    } else {
                        result.completeExceptionally(t);
                    }
                });
                ch.eventLoop().schedule(() -> {
                    if (!client.ready().isDone()) {
                        client.fail(new TimeoutException("Socket.IO handshake timed out after " + config.handshakeTimeout()));
                    }
                }, config.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
            }
        });
        ChannelFuture cf = b.connect(new InetSocketAddress(config.host(), config.port()), nextSource());
        channels.add(cf.channel());
        cf.addListener(f -> {
            if (!f.isSuccess()) {
                result.completeExceptionally(f.cause());
            }
        });
        return result;
    }

    /**
     * Opens up to {@code count} connections at about {@code perSecond}, at most {@code maxInFlight}
     * handshakes at once, and waits for all of them (each bounded by the handshake timeout).
     *
     * @param auth      CONNECT auth JSON for the i-th connection (null: none)
     * @param listener  event listener of every connection
     */
    public ConnectReport connectMany(int count, double perSecond, int maxInFlight,
                                     IntFunction<String> auth, SioClient.EventListener listener) {
        Semaphore inFlight = new Semaphore(maxInFlight);
        ConcurrentLinkedQueue<SioClient> ok = new ConcurrentLinkedQueue<>();
        Map<ConnectFailure, AtomicInteger> failed = new EnumMap<>(ConnectFailure.class);
        for (ConnectFailure r : ConnectFailure.values()) {
            failed.put(r, new AtomicInteger());
        }
        AtomicReference<String> stop = new AtomicReference<>();
        AtomicInteger loggedOther = new AtomicInteger();
        long start = System.nanoTime();
        long intervalNanos = perSecond <= 0 ? 0 : (long) (1e9 / perSecond);
        int issued = 0;
        for (int i = 0; i < count && stop.get() == null; i++) {
            if (expired) {
                stop.set("the load generator's duration bound (" + config.maxDuration() + ")");
                break;
            }
            long due = start + i * intervalNanos;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            try {
                if (!inFlight.tryAcquire(config.handshakeTimeout().toMillis() * 2, TimeUnit.MILLISECONDS)) {
                    stop.set("handshakes stalled: " + maxInFlight + " in flight for " + config.handshakeTimeout().multipliedBy(2));
                    break;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop.set("interrupted");
                break;
            }
            issued++;
            connect(auth == null ? null : auth.apply(i), listener).whenComplete((c, t) -> {
                // record the outcome before releasing: the final acquire-all must see every outcome
                if (t == null) {
                    ok.add(c);
                } else {
                    ConnectFailure reason = ConnectFailure.of(t);
                    failed.get(reason).incrementAndGet();
                    if (reason.localLimit()) {
                        stop.compareAndSet(null, describeLimit(reason));
                    } else if (reason == ConnectFailure.OTHER && loggedOther.getAndIncrement() == 0) {
                        LOG.warn("connect to port {} failed: {}", config.port(), t.toString());
                    }
                }
                inFlight.release();
            });
        }
        // wait for the attempts made so far to finish (each ends within the handshake timeout)
        try {
            if (!inFlight.tryAcquire(maxInFlight, config.handshakeTimeout().toMillis() + 2_000, TimeUnit.MILLISECONDS)) {
                stop.compareAndSet(null, "handshakes still pending after the timeout");
            } else {
                inFlight.release(maxInFlight);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long elapsed = System.nanoTime() - start;
        Map<ConnectFailure, Integer> failures = new EnumMap<>(ConnectFailure.class);
        failed.forEach((k, v) -> {
            if (v.get() > 0) {
                failures.put(k, v.get());
            }
        });
        if (issued < count && stop.get() == null) {
            stop.set("stopped after " + issued + " attempts");
        }
        return new ConnectReport(Collections.unmodifiableList(new ArrayList<>(ok)), count, failures, elapsed, stop.get());
    }

    /**
     * One Socket.IO connection over HTTP long-polling (handshake GET, CONNECT POST, GET of the
     * CONNECT reply), then an Engine.IO close; completes with the nanoseconds from the first request
     * to the CONNECT reply.
     */
    public CompletableFuture<Long> pollingHandshake() {
        if (expired) {
            return CompletableFuture.failedFuture(new IllegalStateException("load generator expired"));
        }
        CompletableFuture<Long> result = new CompletableFuture<>();
        String authority = config.host().getHostAddress() + ":" + config.port();
        PollingHandshakeHandler handler = new PollingHandshakeHandler(authority, config.path(), result,
                this::pollingConnection, pollingReconnects::increment);
        pollingConnection(handler);
        group.next().schedule(() -> {
            result.completeExceptionally(new TimeoutException("polling handshake timed out"));
        }, config.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        return result;
    }

    /** Polling requests sent again on a new connection because the server closed a kept-alive one. */
    public long pollingReconnects() {
        return pollingReconnects.sum();
    }

    private void pollingConnection(PollingHandshakeHandler handler) {
        if (expired) {
            return;
        }
        Bootstrap b = bootstrap().handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast("http", new HttpClientCodec());
                ch.pipeline().addLast("aggregator", new HttpObjectAggregator(1 << 20));
                ch.pipeline().addLast("polling", handler);
            }
        });
        ChannelFuture cf = b.connect(new InetSocketAddress(config.host(), config.port()), nextSource());
        channels.add(cf.channel());
        // a failed connect never becomes active, so channelInactive does not run: fail here
        cf.addListener(f -> {
            if (!f.isSuccess()) {
                handler.connectFailed(f.cause());
            }
        });
    }

    /** Describes the limit behind a local failure, with this machine's numbers. */
    public String describeLimit(ConnectFailure reason) {
        return switch (reason) {
            case DESCRIPTORS -> "file descriptors of the load generator (nofile soft/hard "
                    + FdLimits.nofile("self") + ", " + FdLimits.openDescriptors() + " open)";
            case EPHEMERAL_PORTS -> "ephemeral ports (" + FdLimits.ephemeralPortsPerAddress() + " per source address x "
                    + sources.length + " source addresses)";
            default -> reason.name();
        };
    }

    private Bootstrap bootstrap() {
        return new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.handshakeTimeout().toMillis());
    }

    private InetSocketAddress nextSource() {
        return new InetSocketAddress(sources[Math.floorMod(nextSource.getAndIncrement(), sources.length)], 0);
    }

    /** Closes every connection and stops the event loops; idempotent. */
    @Override
    public void close() {
        reaper.interrupt();
        shutdown();
    }

    private void shutdown() {
        channels.close().awaitUninterruptibly(10, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
}
