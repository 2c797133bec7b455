package dev.switchboard.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.testkit.LeakDetectorExtension;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Request head and body timeouts, and connection limits per node and per address, on raw sockets. */
@ExtendWith(LeakDetectorExtension.class)
class ConnectionLimitsTest {

    private HttpServer server;
    private final List<Socket> sockets = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (Socket s : sockets) {
            s.close();
        }
        if (server != null) {
            server.shutdown().toCompletableFuture().orTimeout(20, TimeUnit.SECONDS).join();
        }
    }

    private InetSocketAddress start(ConnectionLimits limits) {
        TransportConfig config = TransportConfig.builder().host("127.0.0.1").port(0).ioThreads(1).limits(limits).build();
        server = HttpServer.builder(config).route("/", HttpServerTest.named("root")).build();
        return server.start().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
    }

    private Socket open(InetSocketAddress a) throws Exception {
        Socket s = new Socket(a.getAddress(), a.getPort());
        s.setSoTimeout(20_000);
        sockets.add(s);
        return s;
    }

    private static void send(Socket s, String text) throws Exception {
        OutputStream out = s.getOutputStream();
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** Everything the server sends until it closes the connection. */
    private static String readToEnd(Socket s) throws Exception {
        InputStream in = s.getInputStream();
        try {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (SocketException reset) {
            return "";
        }
    }

    @Test
    void aHeadTricklingInByteByByteIsClosedAtTheHeadTimeout() throws Exception {
        InetSocketAddress a = start(ConnectionLimits.builder().requestHeadTimeout(Duration.ofSeconds(1)).build());
        Socket s = open(a);
        send(s, "GET / HTTP/1.1\r\nHost: x\r\n");
        // Keep sending a byte now and then: the idle timeout would never fire, the head timeout does.
        Thread trickle = new Thread(() -> {
            try {
                for (int i = 0; i < 100 && !s.isClosed(); i++) {
                    send(s, "X");
                    Thread.sleep(200);
                }
            } catch (Exception closed) {
                // the server closed it
            }
        });
        trickle.setDaemon(true);
        trickle.start();
        long start = System.nanoTime();
        String answer = readToEnd(s);
        assertThat(answer).startsWith("HTTP/1.1 408");
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(15);
        assertThat(server.stats().headTimeouts()).isEqualTo(1);
    }

    @Test
    void aBodyThatStopsHalfWayIsClosedAtTheBodyTimeout() throws Exception {
        InetSocketAddress a = start(ConnectionLimits.builder().requestBodyTimeout(Duration.ofSeconds(1)).build());
        Socket s = open(a);
        send(s, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789");
        assertThat(readToEnd(s)).startsWith("HTTP/1.1 408");
        assertThat(server.stats().bodyTimeouts()).isEqualTo(1);
    }

    @Test
    void anIdleKeepAliveConnectionBetweenRequestsIsNotTimedOut() throws Exception {
        InetSocketAddress a = start(ConnectionLimits.builder().requestHeadTimeout(Duration.ofSeconds(1)).build());
        Socket s = open(a);
        send(s, "GET /one HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(HttpServerTest.readResponse(s.getInputStream())).contains("root:/one");
        // Longer than the head timeout with nothing sent: the clock only runs once the next request starts.
        Awaitility.await().pollDelay(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(5)).until(() -> true);
        send(s, "GET /two HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(HttpServerTest.readResponse(s.getInputStream())).contains("root:/two");
        assertThat(server.stats().headTimeouts()).isZero();
    }

    @Test
    void overTheNodeLimitNewConnectionsGet503AndOpenOnesAreUnaffected() throws Exception {
        InetSocketAddress a = start(ConnectionLimits.builder().maxConnections(2).build());
        Socket first = open(a);
        Socket second = open(a);
        send(first, "GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(HttpServerTest.readResponse(first.getInputStream())).contains("root:/a");
        send(second, "GET /b HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(HttpServerTest.readResponse(second.getInputStream())).contains("root:/b");
        Socket third = open(a);
        send(third, "GET /c HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(readToEnd(third)).startsWith("HTTP/1.1 503");
        assertThat(server.stats().refusedNodeLimit()).isEqualTo(1);
        // The open ones still work.
        send(first, "GET /a2 HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(HttpServerTest.readResponse(first.getInputStream())).contains("root:/a2");
        // Once one closes, a new connection is taken again.
        second.close();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> server.stats().openConnections() == 1);
        Socket fourth = open(a);
        send(fourth, "GET /d HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(HttpServerTest.readResponse(fourth.getInputStream())).contains("root:/d");
    }

    @Test
    void overTheAddressLimitNewConnectionsGet429() throws Exception {
        InetSocketAddress a = start(ConnectionLimits.builder().maxConnectionsPerAddress(1).build());
        Socket first = open(a);
        send(first, "GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(HttpServerTest.readResponse(first.getInputStream())).contains("root:/a");
        Socket second = open(a);
        send(second, "GET /b HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(readToEnd(second)).startsWith("HTTP/1.1 429");
        assertThat(server.stats().refusedAddressLimit()).isEqualTo(1);
    }
}
