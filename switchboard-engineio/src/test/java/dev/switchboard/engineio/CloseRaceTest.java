package dev.switchboard.engineio;

import static dev.switchboard.engineio.EngineHarness.answer;
import static dev.switchboard.engineio.EngineHarness.get;
import static dev.switchboard.engineio.EngineHarness.poll;
import static dev.switchboard.engineio.EngineHarness.post;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.engineio.EngineHarness.Answer;
import dev.switchboard.testkit.LeakDetectorExtension;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A client's close packet (POST on one connection) and its GET in flight (on another) race between two
 * event loops. Each order is forced here, one step at a time on EmbeddedChannels: the GET is answered
 * {@code 200 6} (noop) whichever the session processes first, as engine.io answers it.
 */
@ExtendWith(LeakDetectorExtension.class)
class CloseRaceTest {

    private final EngineHarness h = new EngineHarness(EngineIoConfig.builder()
            .pingInterval(Duration.ofSeconds(25)).pingTimeout(Duration.ofSeconds(20)).build());
    private final EmbeddedChannel getConnection = h.connection();
    private final EmbeddedChannel postConnection = h.connection();

    @AfterEach
    void finish() {
        h.engine.close();
        getConnection.runPendingTasks();
        postConnection.runPendingTasks();
        getConnection.finishAndReleaseAll();
        postConnection.finishAndReleaseAll();
        assertThat(h.engine.sessionCount()).isZero();
    }

    private static Answer request(EmbeddedChannel ch, FullHttpRequest r) {
        ch.writeInbound(r);
        ch.runPendingTasks();
        return answer(ch);
    }

    @Test
    void getFirstThenClose() {
        String sid = h.handshake(getConnection);
        assertThat(request(getConnection, get(poll(sid)))).as("the GET waits").isNull();
        assertThat(request(postConnection, post(poll(sid), "1")).body()).isEqualTo("ok");
        Answer noop = answer(getConnection);
        assertThat(noop.status()).isEqualTo(200);
        assertThat(noop.body()).isEqualTo("6");
        assertThat(h.events).containsExactly("close:transport close");
    }

    @Test
    void closeFirstThenTheGetIsRouted() {
        // The POST's loop ran first: the session is closed and out of the table when the GET is routed.
        String sid = h.handshake(getConnection);
        assertThat(request(postConnection, post(poll(sid), "1")).body()).isEqualTo("ok");
        assertThat(h.engine.sessionCount()).isZero();
        Answer noop = request(getConnection, get(poll(sid)));
        assertThat(noop.status()).isEqualTo(200);
        assertThat(noop.body()).isEqualTo("6");
        assertThat(h.events).containsExactly("close:transport close");
    }

    @Test
    void getRoutedThenCloseRunsBeforeTheGetsHandover() {
        // The GET found the session and handed its request over; the close got onto the session's loop first.
        String sid = h.handshake(getConnection);
        Session session = ((DefaultEngineIoServer) h.engine).find(sid);
        assertThat(request(postConnection, post(poll(sid), "1")).body()).isEqualTo("ok");
        session.onPollRequest(getConnection);
        Answer noop = answer(getConnection);
        assertThat(noop.status()).isEqualTo(200);
        assertThat(noop.body()).isEqualTo("6");
    }

    @Test
    void otherRequestsAfterAClientCloseAndGetsAfterOtherClosesStillGet400() {
        String sid = h.handshake(getConnection);
        assertThat(request(postConnection, post(poll(sid), "1")).body()).isEqualTo("ok");
        Answer postAfter = request(postConnection, post(poll(sid), "4late"));
        assertThat(postAfter.status()).isEqualTo(400);
        assertThat(postAfter.body()).contains("Session ID unknown");

        // A session that ended otherwise (here: a malformed body) keeps answering unknown sid.
        String other = h.handshake(getConnection);
        assertThat(request(postConnection, post(poll(other), "x")).status()).isEqualTo(400);
        Answer getAfter = request(getConnection, get(poll(other)));
        assertThat(getAfter.status()).isEqualTo(400);
        assertThat(getAfter.body()).contains("Session ID unknown");
    }
}
