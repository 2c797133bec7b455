package dev.switchboard.engineio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.testkit.LeakDetectorExtension;
import dev.switchboard.transport.HttpServer;
import dev.switchboard.transport.TransportConfig;
import io.netty.buffer.PoolArenaMetric;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocatorMetric;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * 10,000 sessions opened and closed over real HTTP leave the session table empty and the buffer pool
 * exactly where it was: no session, queue or buffer outlives its session.
 *
 * <p>The server uses its own pooled allocator without thread-local caches, so the pool's counters
 * ({@code numActiveAllocations}, {@code usedMemory}) count every live buffer.
 */
@ExtendWith(LeakDetectorExtension.class)
class SessionChurnTest {

    static final int SESSIONS = 10_000;

    private static final PooledByteBufAllocator POOL =
            new PooledByteBufAllocator(true, 1, 1, 8192, 9, 0, 0, false);

    @Test
    void tenThousandSessionsLeaveNothingBehind() throws Exception {
        AtomicInteger opened = new AtomicInteger();
        AtomicInteger closed = new AtomicInteger();
        EngineIoConfig config = EngineIoConfig.defaults();
        EngineIoServer engine = EngineIoServer.create(config, socket -> {
            opened.incrementAndGet();
            socket.listener(new EngineSocket.Listener() {
                @Override
                public void onMessage(String text) {
                    socket.send(text);
                }

                @Override
                public void onClose(CloseReason reason, String detail) {
                    closed.incrementAndGet();
                }
            });
        });
        HttpServer http = HttpServer.builder(EngineIoServer.fitTransport(TransportConfig.builder()
                        .host("127.0.0.1").port(0).ioThreads(1).allocator(POOL), config).build())
                .route(config.path(), engine.httpHandler())
                .build();
        InetSocketAddress address = http.start().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
        try {
            churn(address, 100); // warm up: the pool allocates its chunks
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> activeAllocations() == 0);
            long usedBefore = usedMemory();

            churn(address, SESSIONS);

            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> engine.sessionCount() == 0);
            assertThat(engine.sessions()).isEmpty();
            assertThat(opened.get()).isEqualTo(SESSIONS + 100);
            assertThat(closed.get()).isEqualTo(SESSIONS + 100);
            // The client closed its connection: once the server side has too, no buffer is live.
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> activeAllocations() == 0);
            assertThat(usedMemory()).isEqualTo(usedBefore);
        } finally {
            http.shutdown().toCompletableFuture().orTimeout(20, TimeUnit.SECONDS).join();
        }
    }

    /** Each session: handshake GET, a message and its echo, then the client's close packet. */
    private static void churn(InetSocketAddress address, int sessions) throws IOException {
        try (Socket s = new Socket(address.getAddress(), address.getPort())) {
            s.setSoTimeout(10_000);
            s.setTcpNoDelay(true);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            for (int i = 0; i < sessions; i++) {
                String open = exchange(out, in, "GET", "/engine.io/?EIO=4&transport=polling", null);
                String sid = open.substring(9, 29);
                String q = "/engine.io/?EIO=4&transport=polling&sid=" + sid;
                assertThat(exchange(out, in, "POST", q, "4hello " + i)).isEqualTo("ok");
                assertThat(exchange(out, in, "GET", q, null)).isEqualTo("4hello " + i);
                assertThat(exchange(out, in, "POST", q, "1")).isEqualTo("ok");
            }
        }
    }

    /** One keep-alive request/response; returns the body. */
    private static String exchange(OutputStream out, InputStream in, String method, String uri, String body)
            throws IOException {
        byte[] b = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        String head = method + " " + uri + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + (body == null ? "" : "Content-Type: text/plain;charset=UTF-8\r\nContent-Length: " + b.length + "\r\n")
                + "\r\n";
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        out.write(b);
        out.flush();
        ByteArrayOutputStream h = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("connection closed after " + h);
            }
            h.write(c);
            state = (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
        }
        int len = 0;
        for (String line : h.toString(StandardCharsets.US_ASCII).split("\r\n")) {
            if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
                len = Integer.parseInt(line.substring(15).trim());
            }
        }
        return new String(in.readNBytes(len), StandardCharsets.UTF_8);
    }

    private static long activeAllocations() {
        PooledByteBufAllocatorMetric m = POOL.metric();
        long n = 0;
        for (PoolArenaMetric a : m.directArenas()) {
            n += a.numActiveAllocations();
        }
        for (PoolArenaMetric a : m.heapArenas()) {
            n += a.numActiveAllocations();
        }
        return n;
    }

    private static long usedMemory() {
        return POOL.metric().usedDirectMemory() + POOL.metric().usedHeapMemory();
    }
}
