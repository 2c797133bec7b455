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
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A server close of a polling session, as engine.io 6.x does it: the packets queued before the close
 * go out first, the close packet {@code 1} alone in a later GET response (a client that handles a
 * payload's packets on the next tick, as socket.io-client does, would otherwise see the close before
 * a {@code 41} in the same payload). Through EmbeddedChannels and manual time; the heartbeat is set
 * far beyond {@link PollingTransport#CLOSE_TIMEOUT_MS} so that only the close timeout can end a wait.
 */
@ExtendWith(LeakDetectorExtension.class)
class PollingServerCloseTest {

    private static final long CLOSE_TIMEOUT = PollingTransport.CLOSE_TIMEOUT_MS;

    private final EngineHarness h = new EngineHarness(EngineIoConfig.builder()
            .pingInterval(Duration.ofMinutes(10))
            .pingTimeout(Duration.ofMinutes(10))
            .build());
    private final EmbeddedChannel a = h.connection();

    @AfterEach
    void finish() {
        h.engine.close();
        a.runPendingTasks();
        a.finishAndReleaseAll();
        assertThat(h.engine.sessionCount()).isZero();
    }

    private Answer request(FullHttpRequest r) {
        a.writeInbound(r);
        a.runPendingTasks();
        return answer(a);
    }

    private void advance(long ms) {
        a.advanceTimeBy(ms, TimeUnit.MILLISECONDS);
        a.runScheduledPendingTasks();
        a.runPendingTasks();
    }

    @Test
    void withoutAPendingGetTheQueueGoesFirstAndTheCloseInTheNextGet() {
        String sid = h.handshake(a);
        EngineSocket s = h.sockets.get(0);
        s.send("41");
        s.send("42[\"last\"]");
        s.close();
        a.runPendingTasks();
        assertThat(s.isOpen()).isFalse();

        assertThat(request(get(poll(sid))).body()).isEqualTo("441\u001e442[\"last\"]");
        assertThat(h.events).as("the session waits for a GET to carry the close packet").isEmpty();
        assertThat(h.engine.sessionCount()).isEqualTo(1);

        assertThat(request(get(poll(sid))).body()).isEqualTo("1");
        assertThat(h.events).containsExactly("close:forced close");
        assertThat(request(get(poll(sid))).body()).isEqualTo("{\"code\":1,\"message\":\"Session ID unknown\"}");
    }

    @Test
    void aPendingGetTakesTheUnflushedQueueAndTheNextGetTheClose() {
        String sid = h.handshake(a);
        EngineSocket s = h.sockets.get(0);
        assertThat(request(get(poll(sid)))).isNull(); // held
        EncodedMessage m = EncodedMessage.of(EngineWireFormats.POLLING,
                EngineWireFormats.textMessage(EngineWireFormats.POLLING, PooledByteBufAllocator.DEFAULT, "41"));
        try {
            // written, not flushed: still queued while the GET waits
            assertThat(s.write(m, false)).isEqualTo(Subscriber.Delivery.WRITTEN);
        } finally {
            m.release();
        }
        s.close();
        a.runPendingTasks();
        assertThat(answer(a).body()).isEqualTo("441");
        assertThat(h.events).isEmpty();

        assertThat(request(get(poll(sid))).body()).isEqualTo("1");
        assertThat(h.events).containsExactly("close:forced close");
    }

    @Test
    void withNothingQueuedAPendingGetCarriesTheCloseAtOnce() {
        String sid = h.handshake(a);
        EngineSocket s = h.sockets.get(0);
        s.send("41");
        assertThat(request(get(poll(sid))).body()).isEqualTo("441");
        assertThat(request(get(poll(sid)))).isNull();
        s.close();
        a.runPendingTasks();
        assertThat(answer(a).body()).isEqualTo("1");
        assertThat(h.events).containsExactly("close:forced close");
    }

    @Test
    void aClientThatNeverPollsAgainIsClosedAfterTheCloseTimeout() {
        h.handshake(a);
        EngineSocket s = h.sockets.get(0);
        s.send("41");
        s.close();
        a.runPendingTasks();
        advance(CLOSE_TIMEOUT - 1);
        assertThat(h.events).isEmpty();
        advance(1);
        assertThat(h.events).containsExactly("close:forced close");
    }

    @Test
    void theCloseTimeoutStartsAgainWhenTheQueueHasDrained() {
        String sid = h.handshake(a);
        EngineSocket s = h.sockets.get(0);
        s.send("41");
        s.close();
        a.runPendingTasks();
        advance(CLOSE_TIMEOUT - 1000);
        assertThat(request(get(poll(sid))).body()).isEqualTo("441");
        // engine.io arms closeTimeout when the close packet starts waiting, after the drain
        advance(CLOSE_TIMEOUT - 1);
        assertThat(h.events).isEmpty();
        advance(1);
        assertThat(h.events).containsExactly("close:forced close");
        assertThat(request(get(poll(sid))).body()).isEqualTo("{\"code\":1,\"message\":\"Session ID unknown\"}");
    }

    @Test
    void theClientsClosePacketEndsTheWaitToo() {
        String sid = h.handshake(a);
        EngineSocket s = h.sockets.get(0);
        s.send("41");
        s.close();
        a.runPendingTasks();
        assertThat(request(get(poll(sid))).body()).isEqualTo("441");
        // socket.io-client answers a DISCONNECT by closing: its close packet may come before its next GET
        EmbeddedChannel b = h.connection();
        try {
            b.writeInbound(post(poll(sid), "1"));
            b.runPendingTasks();
            assertThat(answer(b).body()).isEqualTo("ok");
        } finally {
            b.finishAndReleaseAll();
        }
        assertThat(h.events).containsExactly("close:transport close");
    }

    @Test
    void aServerShutdownWaitsForNoGet() {
        h.handshake(a);
        h.sockets.get(0).send("41");
        h.engine.close();
        a.runPendingTasks();
        assertThat(h.events).containsExactly("close:forced close");
        assertThat(h.engine.sessionCount()).isZero();
    }
}
