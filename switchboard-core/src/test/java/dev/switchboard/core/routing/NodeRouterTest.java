package dev.switchboard.core.routing;

import static dev.switchboard.core.routing.TestFormats.TEXT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.core.cluster.LoopbackHub;
import dev.switchboard.core.message.Message;
import dev.switchboard.core.spi.Backplane;
import dev.switchboard.testkit.LeakDetectorExtension;
import io.netty.channel.DefaultEventLoopGroup;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Two clustered routers over a {@link LoopbackHub}, their backplanes started by hand. */
@ExtendWith(LeakDetectorExtension.class)
class NodeRouterTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private final LoopbackHub hub = new LoopbackHub();
    private final DefaultEventLoopGroup loops = new DefaultEventLoopGroup(2);
    private final List<ClusterRouter> routers = new ArrayList<>();
    private final List<Backplane> extra = new ArrayList<>();

    private ClusterRouter node(String id) throws Exception {
        ClusterRouter r = Routers.clustered(RouterConfig.defaults(), hub.backplane(), id);
        new TestFormats.CountingRenderer().on(r);
        r.backplane().start(id, r.receiver());
        routers.add(r);
        return r;
    }

    @BeforeEach
    void twoNodes() throws Exception {
        node("a");
        node("b");
        await().atMost(WAIT).until(() -> routers.get(0).backplane().peers().equals(Set.of("b")));
    }

    @AfterEach
    void stop() throws Exception {
        routers.forEach(r -> r.backplane().stop());
        extra.forEach(Backplane::stop);
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }

    @Test
    void aPublicationReachesTheOtherNodeUnlessLocal() throws Exception {
        RecordingSubscriber onB = new RecordingSubscriber("s-b", loops.next(), TEXT);
        routers.get(1).subscribe("/", "r", onB);
        routers.get(0).publish(Message.builder("/", "local-one").rooms(Set.of("r")).local(true).build());
        routers.get(0).publish(Message.builder("/", "shared").rooms(Set.of("r")).build());
        await().atMost(WAIT).until(() -> onB.received.contains("text:shared"));
        assertThat(onB.received).containsExactly("text:shared");
    }

    @Test
    void aMalformedFrameIsDroppedAndCountedAndTheNextOneStillArrives() throws Exception {
        Backplane raw = hub.backplane();
        extra.add(raw);
        raw.start("raw", new Backplane.Receiver() {
            @Override
            public void receive(String fromNode, byte[] frame) {}

            @Override
            public void peerLeft(String nodeId) {}

            @Override
            public void failed(Throwable cause) {}
        });
        RecordingSubscriber onB = new RecordingSubscriber("s-b", loops.next(), TEXT);
        routers.get(1).subscribe("/", "r", onB);
        raw.broadcast("not an envelope".getBytes(StandardCharsets.US_ASCII));
        raw.broadcast(new byte[] {1, 0, 0, 0, 'x'}); // a BROADCAST whose body is not a message
        await().atMost(WAIT).until(() -> routers.get(1).malformedFrames() == 2);
        routers.get(0).publish(Message.builder("/", "after").rooms(Set.of("r")).build());
        await().atMost(WAIT).until(() -> onB.received.contains("text:after"));
    }

    @Test
    void aRequestCompletesWhenEveryPeerAnsweredOrAtTheTimeout() throws Exception {
        Message ask = Message.builder("/", "fetch").build();
        // b has no handler for "/": it answers empty at once.
        RequestResult none = routers.get(0).request(RequestType.FETCH_SOCKETS, ask, WAIT).toCompletableFuture()
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(none.complete()).isTrue();
        assertThat(none.expected()).isEqualTo(1);

        routers.get(1).handle("/", (type, m, replyWanted) ->
                CompletableFuture.completedFuture(("b saw " + m.event()).getBytes(StandardCharsets.UTF_8)));
        RequestResult answered = routers.get(0).request(RequestType.FETCH_SOCKETS, ask, WAIT).toCompletableFuture()
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(answered.complete()).isTrue();
        assertThat(new String(answered.replies().get(0), StandardCharsets.UTF_8)).isEqualTo("b saw fetch");

        // A handler that never answers: the wait ends at the timeout, with nothing.
        routers.get(1).handle("/", (type, m, replyWanted) -> new CompletableFuture<>());
        RequestResult silent = routers.get(0).request(RequestType.FETCH_SOCKETS, ask, Duration.ofSeconds(1))
                .toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(silent.complete()).isFalse();
        assertThat(silent.replies()).isEmpty();
    }

    @Test
    void aPeerThatLeavesWhileAwaitedIsNotWaitedFor() throws Exception {
        routers.get(1).handle("/", (type, m, replyWanted) -> new CompletableFuture<>()); // never answers
        CompletableFuture<RequestResult> pending = routers.get(0)
                .request(RequestType.FETCH_SOCKETS, Message.builder("/", "fetch").build(), Duration.ofMinutes(5))
                .toCompletableFuture();
        routers.get(1).backplane().stop();
        RequestResult r = pending.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(r.complete()).isTrue();
        assertThat(r.replies()).isEmpty();
    }
}
