package dev.switchboard.engineio;

import static dev.switchboard.engineio.EngineHarness.answer;
import static dev.switchboard.engineio.EngineHarness.get;
import static dev.switchboard.engineio.EngineHarness.poll;
import static dev.switchboard.engineio.EngineHarness.post;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.testkit.LeakDetectorExtension;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A client sends its close packet (POST on one connection) and then drops the connection of its pending
 * GET (a browser page closing): the two events reach the session from two event loops, in either order.
 * Each order is forced here on EmbeddedChannels (the handshake's connection owns the session; the GET and
 * the POST each travel on a connection of their own, so each hands over through the session's task
 * queue). Whichever comes first, the session ends as the client's close ({@code transport close}); a GET
 * connection that closes with nothing after it still ends it as a transport error, after the grace.
 */
@ExtendWith(LeakDetectorExtension.class)
class PollLostRaceTest {

    private final EngineHarness h = new EngineHarness(EngineIoConfig.builder()
            .pingInterval(Duration.ofSeconds(25)).pingTimeout(Duration.ofSeconds(20)).build());
    /** Owns the session (the handshake came on it), so its loop is the session's. */
    private final EmbeddedChannel owner = h.connection();
    private final EmbeddedChannel getConnection = h.connection();
    private final EmbeddedChannel postConnection = h.connection();
    private String sid;

    @AfterEach
    void finish() {
        h.engine.close();
        owner.runPendingTasks();
        getConnection.runPendingTasks();
        postConnection.runPendingTasks();
        owner.finishAndReleaseAll();
        getConnection.finishAndReleaseAll();
        postConnection.finishAndReleaseAll();
        assertThat(h.engine.sessionCount()).isZero();
    }

    /** A session with a GET pending on {@link #getConnection}. */
    private void pendingGet() {
        sid = h.handshake(owner);
        getConnection.writeInbound(get(poll(sid)));
        owner.runPendingTasks();
        assertThat(answer(getConnection)).as("the GET waits").isNull();
    }

    /** The GET's connection closes; its close is handed over to the session's loop (queued, not yet run). */
    private void getConnectionCloses() {
        getConnection.close();
        getConnection.runPendingTasks();
    }

    /** A POST read on its own connection; handed over to the session's loop (queued, not yet run). */
    private void postArrives(String body) {
        postConnection.writeInbound(post(poll(sid), body));
    }

    private void sessionLoopRuns() {
        owner.runPendingTasks();
    }

    private void graceEnds() {
        owner.advanceTimeBy(PollingTransport.POLL_LOST_GRACE_MS, TimeUnit.MILLISECONDS);
        owner.runScheduledPendingTasks();
    }

    @Test
    void closePacketHandedOverFirst() {
        pendingGet();
        postArrives("1");
        getConnectionCloses();
        sessionLoopRuns();
        assertThat(answer(postConnection).body()).isEqualTo("ok");
        assertThat(h.events).containsExactly("close:transport close");
    }

    @Test
    void getConnectionCloseHandedOverFirst() {
        pendingGet();
        getConnectionCloses();
        postArrives("1");
        sessionLoopRuns();
        assertThat(answer(postConnection).body()).isEqualTo("ok");
        assertThat(h.events).containsExactly("close:transport close");
        graceEnds();
        assertThat(h.events).as("nothing more after the grace").containsExactly("close:transport close");
    }

    @Test
    void getConnectionCloseWithNothingAfterItIsATransportErrorAfterTheGrace() {
        pendingGet();
        getConnectionCloses();
        sessionLoopRuns();
        assertThat(h.events).isEmpty();
        assertThat(h.engine.sessionCount()).isOne();
        owner.advanceTimeBy(PollingTransport.POLL_LOST_GRACE_MS - 1, TimeUnit.MILLISECONDS);
        owner.runScheduledPendingTasks();
        assertThat(h.events).isEmpty();
        owner.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        owner.runScheduledPendingTasks();
        assertThat(h.events).containsExactly("close:transport error");
        assertThat(h.engine.sessionCount()).isZero();
    }

    @Test
    void messagesSentBeforeTheGetWentAreDeliveredThenTheCloseDecides() {
        pendingGet();
        getConnectionCloses();
        postArrives("4last words\u001e1");
        sessionLoopRuns();
        assertThat(answer(postConnection).body()).isEqualTo("ok");
        assertThat(h.events).containsExactly("message:last words", "close:transport close");
    }

    @Test
    void aNewGetAfterTheLostOneFindsTheSessionGoneAsInEngineIo() {
        pendingGet();
        getConnectionCloses();
        sessionLoopRuns();
        EmbeddedChannel another = h.connection();
        try {
            another.writeInbound(get(poll(sid)));
            sessionLoopRuns();
            EngineHarness.Answer a = answer(another);
            assertThat(a.status()).isEqualTo(400);
            assertThat(a.body()).contains("Session ID unknown");
            assertThat(h.events).containsExactly("close:transport error");
        } finally {
            another.finishAndReleaseAll();
        }
    }
}
