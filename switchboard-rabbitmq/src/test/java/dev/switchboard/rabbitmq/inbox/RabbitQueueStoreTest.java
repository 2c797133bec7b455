package dev.switchboard.rabbitmq.inbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import dev.switchboard.core.spi.QueueStore.QueuedMessage;
import dev.switchboard.core.spi.StoreException;
import dev.switchboard.rabbitmq.RabbitConfig;
import dev.switchboard.rabbitmq.RabbitConnector;
import dev.switchboard.rabbitmq.TestBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The RabbitMQ queue store against the machine's broker: the broker's quorum queues do the storing,
 * the delivery limit and the dead-lettering; each test uses inboxes and a dead-letter exchange of its own.
 */
class RabbitQueueStoreTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private TestBroker broker;
    private RabbitConnector connector;
    private RabbitQueueStore store;
    private String dead;
    private String inbox;

    @BeforeEach
    void open() throws Exception {
        broker = new TestBroker();
        connector = new RabbitConnector(RabbitConfig.newBuilder(TestBroker.URI).connectionName("queue-store-test").build());
        connector.start(new TestBroker.Context());
        dead = broker.exchange("switchboard.inbox.dead-test");
        broker.deleteQueueOnClose(dead);
        store = new RabbitQueueStore(connector, RabbitInboxConfig.newBuilder().maxAttempts(3).maxLength(5)
                .deadLetterExchange(dead).build());
        inbox = "inbox/test-" + UUID.randomUUID();
        broker.deleteQueueOnClose(RabbitQueueStore.queueName(inbox));
    }

    @AfterEach
    void close() throws Exception {
        if (store != null) {
            store.close();
        }
        if (connector != null) {
            connector.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    private static <T> T get(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void anEnqueuedMessageIsLeasedOnceAndGoneAfterItsAck() throws Exception {
        long id = get(store.enqueue(inbox, "k1", text("hello")));
        assertThat(get(store.depth(inbox))).isEqualTo(1);

        List<QueuedMessage> leased = get(store.lease(inbox, 10, Duration.ofSeconds(30)));
        assertThat(leased).singleElement().satisfies(m -> {
            assertThat(m.id()).isEqualTo(id);
            assertThat(m.attempt()).isEqualTo(1);
            assertThat(new String(m.payload(), StandardCharsets.UTF_8)).isEqualTo("hello");
        });
        assertThat(get(store.lease(inbox, 10, Duration.ofSeconds(30)))).as("hidden while leased").isEmpty();
        assertThat(get(store.depth(inbox))).as("a leased message is still stored").isEqualTo(1);

        get(store.ack(leased.get(0).delivery()));
        assertThat(get(store.depth(inbox))).isZero();
        assertThat(get(store.lease(inbox, 10, Duration.ofSeconds(30)))).isEmpty();
    }

    @Test
    void theSameDedupKeyStoresOnceAndAnswersTheSameId() throws Exception {
        long first = get(store.enqueue(inbox, "same", text("a")));
        long again = get(store.enqueue(inbox, "same", text("a")));
        long other = get(store.enqueue(inbox, "other", text("b")));
        assertThat(again).isEqualTo(first);
        assertThat(other).isNotEqualTo(first);
        assertThat(get(store.depth(inbox))).isEqualTo(2);
    }

    @Test
    void aReleasedOrExpiredLeaseIsDeliveredAgainCountingTheAttemptThenDeadLettered() throws Exception {
        long id = get(store.enqueue(inbox, "k", text("retry me")));

        QueuedMessage first = get(store.lease(inbox, 1, Duration.ofSeconds(30))).get(0);
        get(store.release(first.delivery()));

        QueuedMessage second = get(store.lease(inbox, 1, Duration.ofMillis(300))).get(0);
        assertThat(second.id()).isEqualTo(id);
        assertThat(second.attempt()).isEqualTo(2);

        // Not acked within its visibility timeout: the store releases it itself, and it comes back.
        QueuedMessage third = await().atMost(WAIT).until(() -> get(store.lease(inbox, 1, Duration.ofMillis(300))),
                l -> !l.isEmpty()).get(0);
        assertThat(third.attempt()).isEqualTo(3);

        // The third delivery was the last (max-attempts 3): its expiry dead-letters it.
        await().atMost(WAIT).until(() -> !get(store.deadLetters(inbox, 10)).isEmpty());
        assertThat(get(store.deadLetters(inbox, 10))).singleElement().satisfies(m -> {
            assertThat(m.id()).isEqualTo(id);
            assertThat(new String(m.payload(), StandardCharsets.UTF_8)).isEqualTo("retry me");
        });
        assertThat(get(store.depth(inbox))).isZero();
        // Reading the dead letters leaves them there.
        assertThat(get(store.deadLetters(inbox, 10))).hasSize(1);
    }

    @Test
    void anAckAfterTheLeaseEndedRemovesNothingAndTheMessageComesBack() throws Exception {
        get(store.enqueue(inbox, "k", text("x")));
        QueuedMessage m = get(store.lease(inbox, 1, Duration.ofSeconds(30))).get(0);
        get(store.release(m.delivery()));
        get(store.ack(m.delivery())); // stale: completes normally
        assertThat(get(store.lease(inbox, 1, Duration.ofSeconds(30)))).singleElement()
                .satisfies(again -> assertThat(again.attempt()).isEqualTo(2));
    }

    @Test
    void aFullInboxRefusesThePublish() throws Exception {
        for (int i = 0; i < 5; i++) {
            get(store.enqueue(inbox, "k" + i, text("m" + i)));
        }
        // A quorum queue enforces x-max-length softly (the limit is seen once exceeded): publishes past it
        // are refused within a few, and the inbox stays bounded.
        int refused = 0;
        for (int i = 5; i < 10; i++) {
            try {
                get(store.enqueue(inbox, "k" + i, text("m" + i)));
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(StoreException.class);
                assertThat(((StoreException) e.getCause()).reason()).isEqualTo(StoreException.Reason.QUEUE_FULL);
                refused++;
            }
        }
        assertThat(refused).isGreaterThanOrEqualTo(3);
        assertThat(get(store.depth(inbox))).isBetween(5L, 7L);
    }

    @Test
    void leasesEndWithTheirChannelAndTheBrokerRedeliversToTheNextLease() throws Exception {
        long id = get(store.enqueue(inbox, "k", text("survives")));
        QueuedMessage m = get(store.lease(inbox, 1, Duration.ofSeconds(30))).get(0);

        // Another store on another connection stands for the next node: it cannot see the leased message...
        RabbitConnector other = new RabbitConnector(RabbitConfig.newBuilder(TestBroker.URI).connectionName("next-node").build());
        other.start(new TestBroker.Context());
        RabbitQueueStore next = new RabbitQueueStore(other, RabbitInboxConfig.newBuilder().maxAttempts(3).maxLength(5)
                .deadLetterExchange(dead).build());
        try {
            assertThat(get(next.lease(inbox, 1, Duration.ofSeconds(30)))).isEmpty();
            // ... until this node goes away without acking (its connection closes: as after kill -9).
            store.close();
            connector.close();
            QueuedMessage again = await().atMost(WAIT).until(() -> get(next.lease(inbox, 1, Duration.ofSeconds(30))),
                    l -> !l.isEmpty()).get(0);
            assertThat(again.id()).isEqualTo(id);
            assertThat(again.attempt()).isEqualTo(2);
            get(next.ack(again.delivery()));
            assertThat(get(next.depth(inbox))).isZero();
        } finally {
            next.close();
            other.close();
        }
    }

    @Test
    void aDeletedInboxQueueIsDeclaredAgainOnNextUse() throws Exception {
        get(store.enqueue(inbox, "k", text("lost with its queue")));
        try (Channel ch = broker.channel()) {
            ch.queueDelete(RabbitQueueStore.queueName(inbox));
        }
        // The first use after the deletion may fail (the broker closes the channel on the missing queue) ...
        await().atMost(WAIT).ignoreExceptions().until(() -> get(store.enqueue(inbox, "k2", text("again"))) > 0);
        // ... then the inbox works again.
        assertThat(get(store.lease(inbox, 10, Duration.ofSeconds(30)))).extracting(m -> new String(m.payload(), StandardCharsets.UTF_8))
                .containsExactly("again");
    }

    @Test
    void aVeryLongInboxNameMapsToAHashedQueue() throws Exception {
        String longName = "inbox/" + "u".repeat(300);
        String queue = RabbitQueueStore.queueName(longName);
        broker.deleteQueueOnClose(queue);
        assertThat(queue).startsWith("switchboard.inbox.sha256-").hasSize("switchboard.inbox.sha256-".length() + 64);
        get(store.enqueue(longName, "k", text("long")));
        try (Channel ch = broker.channel()) {
            AMQP.Queue.DeclareOk ok = ch.queueDeclarePassive(queue);
            assertThat(ok.getMessageCount()).isEqualTo(1);
        }
    }

    @Test
    void withoutABrokerEveryOperationFailsAtOnceWithClosed() throws Exception {
        RabbitConnector nowhere = new RabbitConnector(RabbitConfig.newBuilder("amqp://guest:guest@127.0.0.1:1/")
                .connectTimeout(Duration.ofMillis(500)).build());
        assertThatThrownBy(() -> nowhere.start(new TestBroker.Context())).isInstanceOf(java.io.IOException.class);
        RabbitQueueStore s = new RabbitQueueStore(nowhere, RabbitInboxConfig.newBuilder().build());
        try {
            assertThatThrownBy(() -> get(s.enqueue(inbox, "k", text("x")))).cause().isInstanceOf(StoreException.class)
                    .satisfies(e -> assertThat(((StoreException) e).reason()).isEqualTo(StoreException.Reason.CLOSED));
        } finally {
            s.close();
        }
    }
}
