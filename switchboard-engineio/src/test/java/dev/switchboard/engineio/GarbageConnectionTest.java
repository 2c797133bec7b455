package dev.switchboard.engineio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.testkit.LeakDetectorExtension;
import dev.switchboard.testkit.NodePeers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Garbage on the HTTP port (non-HTTP bytes, a huge header, a huge request line, truncated requests,
 * seeded mutations of a valid request) only ever costs the connection that sent it: each one ends
 * closed by the server, while an official engine.io-client session on the same server keeps echoing
 * throughout, and nothing leaks.
 */
@ExtendWith(LeakDetectorExtension.class)
class GarbageConnectionTest {

    private static final String VALID = "GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Accept: */*\r\n\r\n";

    @Test
    void garbageClosesOnlyItsOwnConnection() throws Exception {
        try (EngineFixture f = new EngineFixture(EngineIoConfig.defaults(), null, 2)) {
            CompletableFuture<NodePeers.Result> client = CompletableFuture.supplyAsync(() -> NodePeers.test(
                    OfficialClientTest.script("bystander.test.cjs"), OfficialClientTest.env(f), Duration.ofMinutes(1),
                    NodePeers.Expected.passed(1)));
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> f.engine.sessionCount() == 1);
            EngineSocket bystander = f.engine.sessions().iterator().next();

            SplittableRandom r = new SplittableRandom(0xBADL);
            byte[] binary = new byte[4096];
            r.nextBytes(binary);
            assertClosed(f, "binary noise", binary, false);
            assertClosed(f, "a TLS ClientHello on the plain port",
                    new byte[] {0x16, 0x03, 0x01, 0x00, (byte) 0xa5, 0x01, 0x00, 0x00, (byte) 0xa1, 0x03, 0x03}, false);
            assertClosed(f, "a 64 KiB header", ("GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\nX-Big: "
                    + "a".repeat(65_536) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII), false);
            assertClosed(f, "a 64 KiB request line", ("GET /engine.io/?" + "q".repeat(65_536) + " HTTP/1.1\r\nHost: x\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII), false);
            assertClosed(f, "a truncated request line", "GET /engine.io/?EIO=4&tra".getBytes(StandardCharsets.US_ASCII), true);
            assertClosed(f, "a truncated body", ("POST /engine.io/?EIO=4&transport=polling&sid=" + bystander.id()
                    + " HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n4hel").getBytes(StandardCharsets.US_ASCII), true);
            byte[] valid = VALID.getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < 40; i++) {
                byte[] m = valid.clone();
                for (int k = r.nextInt(1, 6); k > 0; k--) {
                    m[r.nextInt(m.length)] = (byte) r.nextInt(256);
                }
                // Whatever the server makes of it, once we stop sending the connection must end.
                assertClosed(f, "mutated request " + i, m, true);
            }
            assertThat(bystander.isOpen()).isTrue();
            bystander.send("garbage-done");

            client.get(70, TimeUnit.SECONDS).assertSucceeded();
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> f.closes.containsKey("bystander"));
            assertThat(f.closes.get("bystander")).startsWith("transport close|");
        }
    }

    /**
     * Sends {@code bytes} on a new connection (then half-closes it when {@code halfClose}: a truncated
     * request otherwise waits for the idle timeout, by design) and asserts the server closes it.
     * Sessions some mutated requests open are closed by the server on shutdown.
     */
    private static void assertClosed(EngineFixture f, String what, byte[] bytes, boolean halfClose) throws IOException {
        try (RawHttp c = new RawHttp(f.address)) {
            try {
                c.send(bytes);
                if (halfClose) {
                    c.socket.shutdownOutput();
                }
            } catch (IOException e) {
                // the server may already have closed while we were still writing: that is the point
            }
            assertThat(c.closedByServer()).as(what).isTrue();
        }
    }
}
