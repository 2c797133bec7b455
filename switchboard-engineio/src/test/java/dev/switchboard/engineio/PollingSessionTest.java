package dev.switchboard.engineio;

import static dev.switchboard.engineio.EngineHarness.answer;
import static dev.switchboard.engineio.EngineHarness.get;
import static dev.switchboard.engineio.EngineHarness.poll;
import static dev.switchboard.engineio.EngineHarness.post;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.routing.EncodedMessage;
import dev.switchboard.core.routing.Subscriber;
import dev.switchboard.engineio.EngineHarness.Answer;
import dev.switchboard.testkit.LeakDetectorExtension;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The polling transport and the session state machine, through EmbeddedChannels and manual time. */
@ExtendWith(LeakDetectorExtension.class)
class PollingSessionTest {

    private final EngineHarness h = new EngineHarness(EngineIoConfig.builder()
            .pingInterval(Duration.ofMillis(1000))
            .pingTimeout(Duration.ofMillis(500))
            .maxPayload(1000)
            .maxPendingBytes(4000)
            .allowRequest(hs -> hs.query().containsKey("deny") ? "Forbidden" : null)
            .build());
    private final EmbeddedChannel a = h.connection();
    private final EmbeddedChannel b = h.connection();

    @AfterEach
    void finish() {
        h.engine.close();
        a.runPendingTasks();
        b.runPendingTasks();
        a.finishAndReleaseAll();
        b.finishAndReleaseAll();
        assertThat(h.engine.sessionCount()).isZero();
    }

    private Answer request(EmbeddedChannel ch, FullHttpRequest r) {
        ch.writeInbound(r);
        ch.runPendingTasks();
        return answer(ch);
    }

    @ParameterizedTest(name = "{0} -> {1} {2}")
    @CsvSource(delimiter = '|', value = {
        "/engine.io/?EIO=4&transport=pigeon|400|{\"code\":0,\"message\":\"Transport unknown\"}",
        "/engine.io/?EIO=4|400|{\"code\":0,\"message\":\"Transport unknown\"}",
        "/engine.io/?EIO=4&transport=polling&sid=nope|400|{\"code\":1,\"message\":\"Session ID unknown\"}",
        "/engine.io/?EIO=4&transport=websocket|400|{\"code\":3,\"message\":\"Bad request\"}",
        "/engine.io/?EIO=4&transport=polling&deny=1|403|{\"code\":4,\"message\":\"Forbidden\"}",
        "/engine.io/?transport=polling|400|{\"code\":5,\"message\":\"Unsupported protocol version\"}",
        "/engine.io/?EIO=3&transport=polling|400|{\"code\":5,\"message\":\"Unsupported protocol version\"}",
        "/engine.io/?EIO=5&transport=polling|400|{\"code\":5,\"message\":\"Unsupported protocol version\"}",
    })
    void refusesBadHandshakesWithTheOfficialErrors(String uri, int status, String body) {
        Answer r = request(a, get(uri));
        assertThat(r.status()).isEqualTo(status);
        assertThat(r.body()).isEqualTo(body);
        assertThat(r.contentType()).isEqualTo("application/json");
        assertThat(h.engine.sessionCount()).isZero();
    }

    @Test
    void aHandshakeByPostIsABadHandshakeMethod() {
        Answer r = request(a, post(poll(null), "4x"));
        assertThat(r.body()).isEqualTo("{\"code\":2,\"message\":\"Bad handshake method\"}");
    }

    @Test
    void anInvalidOriginHeaderIsABadRequest() {
        FullHttpRequest r = get(poll(null));
        r.headers().set(HttpHeaderNames.ORIGIN, "http://a\u0100b"); // engine.io refuses chars above 0xff
        assertThat(request(a, r).body()).isEqualTo("{\"code\":3,\"message\":\"Bad request\"}");
    }

    @Test
    void handshakeAnswersTheOpenPacketAndTellsTheListener() {
        Answer r = request(a, get(poll(null)));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentType()).isEqualTo("text/plain; charset=UTF-8");
        assertThat(r.body()).matches("0\\{\"sid\":\"[A-Za-z0-9_-]{20}\",\"upgrades\":\\[\"websocket\"],"
                + "\"pingInterval\":1000,\"pingTimeout\":500,\"maxPayload\":1000}");
        assertThat(h.sockets).hasSize(1);
        EngineSocket s = h.sockets.get(0);
        assertThat(s.transport()).isEqualTo(TransportKind.POLLING);
        assertThat(s.handshake().query()).containsEntry("EIO", "4");
        assertThat(s.eventLoop()).isSameAs(a.eventLoop());
        assertThat(h.engine.sessionCount()).isEqualTo(1);
    }

    @Test
    void postedPacketsReachTheListenerAndQueuedPacketsGoOutJoined() {
        String sid = h.handshake(a);
        Answer ok = request(b, post(poll(sid), "4hello\u001ebAAEC\u001e4world"));
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo("ok");
        assertThat(ok.contentType()).isEqualTo("text/html");
        assertThat(h.events).containsExactly("message:hello", "binary:3", "message:world");

        EngineSocket s = h.sockets.get(0);
        s.send("one");
        s.send(Unpooled.wrappedBuffer(new byte[] {1, 2, 3}));
        s.send("two");
        assertThat(request(a, get(poll(sid))).body()).isEqualTo("4one\u001ebAQID\u001e4two");
    }

    @Test
    void aGetWaitsForData() {
        String sid = h.handshake(a);
        assertThat(request(a, get(poll(sid)))).isNull(); // held
        h.sockets.get(0).send("late");
        a.runPendingTasks();
        assertThat(answer(a).body()).isEqualTo("4late");
    }

    @Test
    void aSecondConcurrentGetClosesTheSession() {
        String sid = h.handshake(a);
        assertThat(request(a, get(poll(sid)))).isNull();
        Answer second = request(b, get(poll(sid)));
        assertThat(second.status()).isEqualTo(400);
        Answer first = answer(a);
        assertThat(first.body()).isEqualTo("1");
        assertThat(h.events).containsExactly("close:transport error");
        assertThat(request(b, get(poll(sid))).body()).isEqualTo("{\"code\":1,\"message\":\"Session ID unknown\"}");
    }

    @Test
    void clientCloseAnswersThePendingGetWithNoop() {
        String sid = h.handshake(a);
        assertThat(request(a, get(poll(sid)))).isNull();
        assertThat(request(b, post(poll(sid), "1")).body()).isEqualTo("ok");
        assertThat(answer(a).body()).isEqualTo("6");
        assertThat(h.events).containsExactly("close:transport close");
        assertThat(h.engine.sessionCount()).isZero();
    }

    @Test
    void pollConnectionClosedWhileWaitingEndsTheSession() {
        String sid = h.handshake(a); // a's loop owns the session (an EmbeddedChannel's loop ends with it)
        b.writeInbound(get(poll(sid)));
        a.runPendingTasks();
        assertThat(answer(b)).as("the GET waits").isNull();
        b.close();
        b.runPendingTasks();
        a.runPendingTasks();
        assertThat(h.events).as("a close packet sent before may still be on its way").isEmpty();
        a.advanceTimeBy(PollingTransport.POLL_LOST_GRACE_MS, TimeUnit.MILLISECONDS);
        a.runScheduledPendingTasks();
        assertThat(h.events).containsExactly("close:transport error");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "9", "4ok\u001e", "\u001e4", "bA", "b!!!", "4a\u001ex"})
    void aMalformedBodyAnswers400AndClosesOnlyThatSession(String body) {
        String bystander = h.handshake(b);
        String sid = h.handshake(a);
        Answer r = request(a, post(poll(sid), body));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body()).isEqualTo("{\"code\":3,\"message\":\"Bad request\"}");
        assertThat(h.events).containsExactly("close:parse error");
        assertThat(h.engine.session(sid)).isNull();
        assertThat(h.engine.session(bystander).isOpen()).isTrue();
    }

    @Test
    void aBodyOverMaxPayloadAnswers413AndClosesTheSession() {
        String sid = h.handshake(a);
        Answer exact = request(a, post(poll(sid), "4" + "x".repeat(999)));
        assertThat(exact.body()).isEqualTo("ok");
        Answer over = request(a, post(poll(sid), "4" + "x".repeat(1000)));
        assertThat(over.status()).isEqualTo(413);
        assertThat(h.events).containsExactly("message:" + "x".repeat(999), "close:transport error");
    }

    @Test
    void aBinaryContentTypeIsRefusedInProtocolV4() {
        String sid = h.handshake(a);
        FullHttpRequest r = post(poll(sid), "4x");
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/octet-stream");
        assertThat(request(a, r).status()).isEqualTo(400);
        assertThat(h.events).containsExactly("close:transport error");
    }

    @Test
    void aClientPingIsTheWrongHeartbeatDirection() {
        String sid = h.handshake(a);
        assertThat(request(a, post(poll(sid), "2")).body()).isEqualTo("ok");
        assertThat(h.events).containsExactly("close:transport error");
    }

    @Test
    void heartbeatPingsAndClosesWithoutPong() {
        String sid = h.handshake(a);
        assertThat(request(a, get(poll(sid)))).isNull();
        a.advanceTimeBy(1000, TimeUnit.MILLISECONDS);
        a.runScheduledPendingTasks();
        assertThat(answer(a).body()).isEqualTo("2");
        // a pong re-arms the interval
        assertThat(request(b, post(poll(sid), "3")).body()).isEqualTo("ok");
        a.advanceTimeBy(600, TimeUnit.MILLISECONDS);
        a.runScheduledPendingTasks();
        assertThat(h.events).isEmpty();
        assertThat(request(a, get(poll(sid)))).isNull();
        a.advanceTimeBy(400, TimeUnit.MILLISECONDS);
        a.runScheduledPendingTasks();
        assertThat(answer(a).body()).isEqualTo("2");
        // no pong this time
        a.advanceTimeBy(500, TimeUnit.MILLISECONDS);
        a.runScheduledPendingTasks();
        assertThat(h.events).containsExactly("close:ping timeout");
        assertThat(request(a, get(poll(sid))).body()).isEqualTo("{\"code\":1,\"message\":\"Session ID unknown\"}");
    }

    @Test
    void serverCloseUsesThePendingGetOrTheNextOne() {
        String sid1 = h.handshake(a);
        assertThat(request(a, get(poll(sid1)))).isNull();
        h.sockets.get(0).send("bye");
        a.runPendingTasks();
        assertThat(answer(a).body()).isEqualTo("4bye");
        assertThat(request(a, get(poll(sid1)))).isNull();
        h.sockets.get(0).close();
        a.runPendingTasks();
        assertThat(answer(a).body()).isEqualTo("1");
        assertThat(h.events).containsExactly("close:forced close");

        String sid2 = h.handshake(b);
        h.sockets.get(1).send("last");
        h.sockets.get(1).close();
        b.runPendingTasks();
        assertThat(h.sockets.get(1).isOpen()).isFalse();
        // the queue drains first, the close packet goes alone in the next GET (PollingServerCloseTest)
        assertThat(request(b, get(poll(sid2))).body()).isEqualTo("4last");
        assertThat(request(b, get(poll(sid2))).body()).isEqualTo("1");
        assertThat(h.events).containsExactly("close:forced close", "close:forced close");
    }

    @Test
    void aSlowClientIsClosedWhenItsQueuePassesTheCap() {
        String sid = h.handshake(a);
        EngineSocket s = h.sockets.get(0);
        for (int i = 0; i < 10; i++) {
            s.send("x".repeat(499)); // 500 bytes each; cap 4000
        }
        assertThat(h.events).containsExactly("close:transport error");
        assertThat(h.engine.slowClientCloses()).isEqualTo(1);
        assertThat(request(a, get(poll(sid))).status()).isEqualTo(400);
    }

    @Test
    void encodedOnceFanOutSharesOneBuffer() {
        String sid1 = h.handshake(a);
        String sid2 = h.handshake(b);
        EngineSocket s1 = h.engine.session(sid1);
        EngineSocket s2 = h.engine.session(sid2);
        assertThat(s1.socketWireFormat()).isSameAs(EngineWireFormats.POLLING);

        EncodedMessage m = EncodedMessage.of(EngineWireFormats.POLLING,
                EngineWireFormats.textMessage(EngineWireFormats.POLLING, PooledByteBufAllocator.DEFAULT, "news"));
        assertThat(s1.write(m, true)).isEqualTo(Subscriber.Delivery.DROPPED_VOLATILE); // no GET waiting
        assertThat(s1.write(m, false)).isEqualTo(Subscriber.Delivery.WRITTEN);
        assertThat(request(b, get(poll(sid2)))).isNull();
        assertThat(s2.write(m, true)).isEqualTo(Subscriber.Delivery.WRITTEN); // a GET waits: writable
        s2.flush();
        assertThat(answer(b).body()).isEqualTo("4news");
        assertThat(request(a, get(poll(sid1))).body()).isEqualTo("4news");
        assertThat(m.refCnt()).isEqualTo(1); // the fabric's reference only
        m.release();

        // A WebSocket-encoded message is converted for a polling session (only around an upgrade).
        EncodedMessage ws = EncodedMessage.of(EngineWireFormats.WEBSOCKET,
                EngineWireFormats.textMessage(EngineWireFormats.WEBSOCKET, PooledByteBufAllocator.DEFAULT, "converted"));
        assertThat(s1.write(ws, false)).isEqualTo(Subscriber.Delivery.WRITTEN);
        ws.release();
        assertThat(request(a, get(poll(sid1))).body()).isEqualTo("4converted");

        s1.close();
        a.runPendingTasks();
        assertThat(s1.write(EncodedMessage.of(EngineWireFormats.POLLING, Unpooled.buffer(1).writeByte('4')), false))
                .isEqualTo(Subscriber.Delivery.REJECTED);
    }

    @Test
    void serverCloseClosesEverySessionAndRefusesNewOnes() {
        h.handshake(a);
        h.handshake(b);
        var done = h.engine.close().toCompletableFuture();
        a.runPendingTasks();
        b.runPendingTasks();
        assertThat(done).isCompleted();
        assertThat(h.events).containsExactly("close:forced close", "close:forced close");
        assertThat(request(a, get(poll(null))).status()).isEqualTo(503);
    }

    @Test
    void transportsAndAllowUpgradesShapeTheOpenPacket() {
        EngineHarness pollingOnly = new EngineHarness(EngineIoConfig.builder()
                .transports(java.util.EnumSet.of(TransportKind.POLLING)).build());
        EmbeddedChannel c = pollingOnly.connection();
        c.writeInbound(get(poll(null)));
        assertThat(answer(c).body()).contains("\"upgrades\":[]");
        c.writeInbound(get("/engine.io/?EIO=4&transport=websocket"));
        assertThat(answer(c).body()).isEqualTo("{\"code\":0,\"message\":\"Transport unknown\"}");
        pollingOnly.engine.close();
        c.runPendingTasks();
        assertThat(c.finishAndReleaseAll()).isFalse();

        EngineHarness noUpgrades = new EngineHarness(EngineIoConfig.builder().allowUpgrades(false).build());
        EmbeddedChannel d = noUpgrades.connection();
        d.writeInbound(get(poll(null)));
        assertThat(answer(d).body()).contains("\"upgrades\":[]");
        noUpgrades.engine.close();
        d.runPendingTasks();
        assertThat(d.finishAndReleaseAll()).isFalse();
    }

    @Test
    void configBuilderRefusesBadValues() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> EngineIoConfig.builder().pingInterval(Duration.ZERO))
                .hasMessageContaining("pingInterval must be > 0");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> EngineIoConfig.builder().transports(java.util.Set.of()))
                .hasMessageContaining("at least one transport");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> EngineIoConfig.builder().path("engine.io"))
                .hasMessageContaining("must start with '/'");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> EngineIoConfig.builder().maxPayload(10_000).maxPendingBytes(5_000).build())
                .hasMessageContaining("maxPendingBytes (5000) must be >= maxPayload (10000)");
        assertThat(EngineIoConfig.builder().path("/socket.io").build().path()).isEqualTo("/socket.io/");
        EngineIoConfig d = EngineIoConfig.defaults();
        assertThat(d.path()).isEqualTo("/engine.io/");
        assertThat(d.pingInterval()).isEqualTo(Duration.ofMillis(25_000));
        assertThat(d.pingTimeout()).isEqualTo(Duration.ofMillis(20_000));
        assertThat(d.maxPayload()).isEqualTo(1_000_000);
        assertThat(d.upgradeTimeout()).isEqualTo(Duration.ofMillis(10_000));
        assertThat(d.transports()).containsExactlyInAnyOrder(TransportKind.POLLING, TransportKind.WEBSOCKET);
        assertThat(d.allowUpgrades()).isTrue();
    }
}
