package dev.switchboard.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.switchboard.core.message.Message;
import dev.switchboard.core.node.NodeConfig;
import dev.switchboard.core.node.SupervisionPolicy;
import dev.switchboard.core.routing.EncodedMessage;
import dev.switchboard.core.routing.MessageRenderer;
import dev.switchboard.core.routing.Subscriber;
import dev.switchboard.core.routing.WireFormat;
import dev.switchboard.testkit.LeakDetectorExtension;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.EventExecutor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LeakDetectorExtension.class)
class SwitchboardNodeTest {

    private static final WireFormat TEXT = () -> "text";

    /** A subscriber writing to an EmbeddedChannel, as a connection would. */
    record ChannelSub(String id, EmbeddedChannel channel) implements Subscriber {
        @Override
        public EventExecutor executor() {
            return channel.eventLoop();
        }

        @Override
        public WireFormat wireFormat() {
            return TEXT;
        }

        @Override
        public Delivery deliver(EncodedMessage message, boolean isVolatile) {
            if (!channel.isActive()) {
                return Delivery.REJECTED;
            }
            channel.write(message.frame(0).retainedDuplicate());
            return Delivery.WRITTEN;
        }

        @Override
        public void flush() {
            channel.flush();
        }

        List<String> drain() {
            channel.runPendingTasks();
            List<String> out = new ArrayList<>();
            for (ByteBuf b; (b = channel.readOutbound()) != null; ) {
                out.add(b.toString(StandardCharsets.UTF_8));
                b.release();
            }
            return out;
        }
    }

    /** Renders the event name as the text frame. */
    private static final MessageRenderer RENDERER = (m, f, alloc) -> EncodedMessage.of(f, ByteBufUtil.writeUtf8(alloc,
            m.event()));

    private static Message chat(String text, Set<String> exceptIds) {
        return Message.builder("/chat", text).rooms(Set.of("lobby")).exceptIds(exceptIds).build();
    }

    @Test
    void aUserHandlerThatThrowsDisconnectsNobodyAndBroadcastingGoesOn() {
        try (SwitchboardNode node = SwitchboardNode.start(NodeConfig.builder().name("handlers-test").build())) {
            ChannelSub alice = new ChannelSub("alice", new EmbeddedChannel());
            ChannelSub bob = new ChannelSub("bob", new EmbeddedChannel());
            node.router().register(TEXT, RENDERER);
            node.router().subscribe("/chat", "lobby", alice);
            node.router().subscribe("/chat", "lobby", bob);

            // alice's "chat" handler broadcasts, then throws (on alice's event loop, as the protocol layer runs it).
            Throwable error = node.handlers().runInline(alice.id(), "chat", () -> {
                node.router().publish(chat("hello", Set.of(alice.id())));
                throw new IllegalArgumentException("bad payload");
            });
            assertThat(error).hasMessage("bad payload");

            assertThat(bob.drain()).containsExactly("hello");
            assertThat(alice.channel().isActive()).isTrue();
            assertThat(bob.channel().isActive()).isTrue();
            assertThat(node.router().roomsOf("/chat", alice)).containsExactly("lobby");

            // Later publications still reach both.
            node.router().publish(chat("still here", Set.of()));
            assertThat(alice.drain()).containsExactly("still here");
            assertThat(bob.drain()).containsExactly("still here");

            node.router().detach("/chat", alice);
            node.router().detach("/chat", bob);
            assertThat(alice.channel().finishAndReleaseAll()).isFalse();
            assertThat(bob.channel().finishAndReleaseAll()).isFalse();
        }
    }

    @Test
    void componentsAreSupervisedReportedAndStoppedAtClose() throws Exception {
        SupervisionTest.FlakyComponent listener = new SupervisionTest.FlakyComponent(0);
        SwitchboardNode node = SwitchboardNode.start(NodeConfig.builder().name("components-test").build());
        try {
            node.supervise("listener-http", listener, SupervisionPolicy.restartWithBackoff())
                    .toCompletableFuture().get();
            assertThatThrownBy(() -> node.supervise("listener-http", listener, SupervisionPolicy.restartWithBackoff()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already registered");
            assertThatThrownBy(() -> node.supervise("bad name/", listener, SupervisionPolicy.restartWithBackoff()))
                    .isInstanceOf(IllegalArgumentException.class);
            await().atMost(Duration.ofSeconds(10)).until(() -> node.health().overall() == Health.Overall.UP
                    && node.health().component("listener-http").isPresent());
            assertThat(node.health().isReady()).isTrue();

            var counter = node.spawn("sequencer", SupervisionTest.counter(new java.util.concurrent.atomic.AtomicInteger()),
                    SupervisionPolicy.restartWithBackoff()).toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
            Integer sum = org.apache.pekko.actor.typed.javadsl.AskPattern.<SupervisionTest.Cmd, Integer>ask(counter,
                    replyTo -> new SupervisionTest.Add(3, replyTo), Duration.ofSeconds(10),
                    node.actorSystem().scheduler()).toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(sum).isEqualTo(3);
            await().atMost(Duration.ofSeconds(10)).until(() -> node.health().components().size() == 2
                    && node.health().overall() == Health.Overall.UP);
        } finally {
            node.close();
        }
        assertThat(listener.stops.get()).isEqualTo(1);
        assertThat(node.actorSystem().whenTerminated().isCompleted()).isTrue();
    }
}
