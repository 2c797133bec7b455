package dev.switchboard.engineio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.testkit.LeakDetectorExtension;
import java.time.Duration;
import java.util.Arrays;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * POST bodies past the transport's aggregator limit (maxPayload + 64 KiB, from
 * {@link EngineIoServer#fitTransport}) are refused with 413 by the transport before Engine.IO sees
 * them; the session the request named is closed all the same, and nothing leaks. Raw sockets, since
 * no client sends such bodies on purpose.
 */
@ExtendWith(LeakDetectorExtension.class)
class OversizedBodyTest {

    static final int MAX_PAYLOAD = 1000;
    /** The aggregator's limit as fitTransport sizes it. */
    static final int LIMIT = MAX_PAYLOAD + 65_536;

    static EngineFixture fixture;

    @BeforeAll
    static void start() {
        // Two loops: the oversized POST's connection is often not the session's loop.
        fixture = new EngineFixture(EngineIoConfig.builder().maxPayload(MAX_PAYLOAD).build(), null, 2);
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    private static String target(String sid) {
        return "/engine.io/?EIO=4&transport=polling&sid=" + sid;
    }

    /** A session on its own connection, tagged so its close reason is recorded. */
    private static String taggedSession(RawHttp c, String tag) throws Exception {
        String sid = c.handshake();
        c.request("POST", target(sid), "4tag:" + tag);
        assertThat(c.read().body()).isEqualTo("ok");
        return sid;
    }

    @Test
    void declaredContentLengthOverTheLimitClosesTheSession() throws Exception {
        try (RawHttp bystanderConn = new RawHttp(fixture.address); RawHttp c = new RawHttp(fixture.address);
             RawHttp other = new RawHttp(fixture.address)) {
            String bystander = taggedSession(bystanderConn, "bystander-cl");
            String sid = taggedSession(c, "declared");
            // Only the head: the aggregator refuses on Content-Length alone.
            other.send("POST " + target(sid) + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n"
                    + "Content-Length: " + (LIMIT + 1) + "\r\n\r\n");
            assertThat(other.read().status()).isEqualTo(413);

            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> fixture.engine.session(sid) == null);
            assertThat(fixture.closes.get("declared"))
                    .isEqualTo("transport error|payload of " + (LIMIT + 1) + " bytes over maxPayload " + MAX_PAYLOAD
                            + " (refused by the transport with 413)");
            // The sid is gone for good, as after any close.
            c.send("GET " + target(sid) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.body()).isEqualTo("{\"code\":1,\"message\":\"Session ID unknown\"}");
            assertThat(fixture.engine.session(bystander)).isNotNull();
            assertThat(fixture.closes).doesNotContainKey("bystander-cl");
        }
    }

    @Test
    void chunkedBodyGrowingOverTheLimitClosesTheSessionAndTheConnection() throws Exception {
        try (RawHttp c = new RawHttp(fixture.address); RawHttp other = new RawHttp(fixture.address)) {
            String sid = taggedSession(c, "chunked");
            other.send("POST " + target(sid) + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n");
            // One chunk declared larger than the limit, of which exactly limit + 1 bytes are sent: the
            // last byte trips the aggregator and the server has read everything we wrote (so it closes
            // with a FIN, not a reset that could discard the 413).
            other.send(Integer.toHexString(LIMIT + 1000) + "\r\n");
            byte[] data = new byte[LIMIT + 1];
            Arrays.fill(data, (byte) '4');
            other.send(data);
            assertThat(other.read().status()).isEqualTo(413);
            assertThat(other.closedByServer()).isTrue();

            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> fixture.engine.session(sid) == null);
            assertThat(fixture.closes.get("chunked"))
                    .startsWith("transport error|chunked payload over maxPayload " + MAX_PAYLOAD);
        }
    }

    @Test
    void oversizedRequestWithoutAKnownSidOnlyGets413() throws Exception {
        int before = fixture.engine.sessionCount();
        try (RawHttp c = new RawHttp(fixture.address)) {
            c.send("POST " + target("AAAAAAAAAAAAAAAAAAAA") + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Length: " + (LIMIT + 1) + "\r\n\r\n");
            assertThat(c.read().status()).isEqualTo(413);
        }
        assertThat(fixture.engine.sessionCount()).isEqualTo(before);
    }
}
