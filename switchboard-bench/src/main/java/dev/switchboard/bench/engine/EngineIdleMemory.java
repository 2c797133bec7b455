package dev.switchboard.bench.engine;

import dev.switchboard.engineio.EngineIoConfig;
import dev.switchboard.engineio.EngineIoServer;
import dev.switchboard.engineio.EngineSocket;
import dev.switchboard.transport.HttpServer;
import dev.switchboard.transport.TransportConfig;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Memory per idle Engine.IO WebSocket session, measured without JOL: the server runs in this JVM,
 * N clients (a plain Netty WebSocket client that answers pings) run in a child JVM so their objects
 * do not count; heap used after full GCs before and after, divided by N, plus the pooled direct
 * memory the connections hold, plus the top of a class histogram of the server with N sessions open.
 * Complements the harness's idle scenario (whole servers, RSS, side by side with the peers) by
 * isolating the Engine.IO layer and naming the classes that hold the memory. Run it by hand:
 *
 * <pre>
 * mvn -q -pl switchboard-bench -am compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -Xmx1g -cp switchboard-bench/target/classes:$(cat /tmp/cp.txt) dev.switchboard.bench.engine.EngineIdleMemory 5000
 * </pre>
 */
public final class EngineIdleMemory {

    private EngineIdleMemory() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("client")) {
            client(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            return;
        }
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 5_000;
        EngineIoConfig config = EngineIoConfig.defaults();
        EngineIoServer engine = EngineIoServer.create(config, socket -> socket.listener(new EngineSocket.Listener() {
            @Override
            public void onMessage(String text) {
                socket.send(text);
            }
        }));
        HttpServer http = HttpServer.builder(EngineIoServer.fitTransport(
                TransportConfig.builder().host("127.0.0.1").port(0).ioThreads(2), config).build())
                .route(config.path(), engine.httpHandler()).build();
        InetSocketAddress address = http.start().toCompletableFuture().get(10, TimeUnit.SECONDS);
        // Warm up: a few sessions so classes, pools and thread caches exist before the baseline.
        runClients(address, 50, engine, 50);
        long heap0 = settledHeap();
        long direct0 = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
        long heapPool0 = PooledByteBufAllocator.DEFAULT.metric().usedHeapMemory();

        Process clients = startClients(address, n);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (engine.sessionCount() < n + 50 && System.nanoTime() < deadline && clients.isAlive()) {
            TimeUnit.MILLISECONDS.sleep(200);
        }
        int open = engine.sessionCount() - 50;
        long heap1 = settledHeap();
        long direct1 = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
        long heapPool1 = PooledByteBufAllocator.DEFAULT.metric().usedHeapMemory();
        System.out.printf("sessions open: %d (of %d)%n", open, n);
        System.out.printf("heap per session: %d bytes (heap %d -> %d)%n", (heap1 - heap0) / open, heap0, heap1);
        System.out.printf("pooled direct per session: %d bytes, pooled heap per session: %d bytes%n",
                (direct1 - direct0) / open, (heapPool1 - heapPool0) / open);
        histogram();
        clients.destroy();
        clients.waitFor(10, TimeUnit.SECONDS);
        http.shutdown().toCompletableFuture().get(30, TimeUnit.SECONDS);
        System.exit(0);
    }

    private static void runClients(InetSocketAddress address, int n, EngineIoServer engine, int expect) throws Exception {
        Process p = startClients(address, n);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (engine.sessionCount() < expect && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(100);
        }
        // the warm-up clients stay connected for the whole run: part of the baseline
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroy));
    }

    private static Process startClients(InetSocketAddress address, int n) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                EngineIdleMemory.class.getName(), "client", String.valueOf(address.getPort()), String.valueOf(n))
                .inheritIO().start();
    }

    private static long settledHeap() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            TimeUnit.MILLISECONDS.sleep(100);
            used = Math.min(used, rt.totalMemory() - rt.freeMemory());
        }
        return used;
    }

    private static void histogram() throws Exception {
        long pid = ProcessHandle.current().pid();
        Process p = new ProcessBuilder("jcmd", String.valueOf(pid), "GC.class_histogram").redirectErrorStream(true).start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
            String line;
            int lines = 0;
            while ((line = r.readLine()) != null && lines++ < 45) {
                System.out.println(line);
            }
        }
        p.destroy();
    }

    /** Child JVM: n WebSocket sessions, 200 handshakes at a time, each answering the server's pings. */
    private static void client(int port, int n) throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        URI uri = URI.create("ws://127.0.0.1:" + port + "/engine.io/?EIO=4&transport=websocket");
        Semaphore handshakes = new Semaphore(200);
        AtomicInteger opened = new AtomicInteger();
        for (int i = 0; i < n; i++) {
            handshakes.acquire();
            new Bootstrap().group(group).channel(NioSocketChannel.class).handler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(8192),
                            new WebSocketClientProtocolHandler(WebSocketClientHandshakerFactory.newHandshaker(
                                    uri, WebSocketVersion.V13, null, false, new DefaultHttpHeaders())),
                            new SimpleChannelInboundHandler<TextWebSocketFrame>() {
                                @Override
                                protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame f) {
                                    String t = f.text();
                                    if (t.startsWith("0")) {
                                        opened.incrementAndGet();
                                        handshakes.release();
                                    } else if (t.equals("2")) {
                                        ctx.writeAndFlush(new TextWebSocketFrame("3"));
                                    }
                                }
                            });
                }
            }).connect("127.0.0.1", port).addListener(f -> {
                if (!f.isSuccess()) {
                    System.err.println("connect failed: " + f.cause());
                    handshakes.release();
                }
            });
        }
        handshakes.acquire(200);
        System.out.println("client: " + opened.get() + " sessions open");
        Thread.currentThread().join(); // until the parent destroys this process
    }
}
