package dev.switchboard.core.inbox;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.spi.QueueStore.QueuedMessage;
import dev.switchboard.store.EmbeddedStore;
import dev.switchboard.store.StoreConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The inbox service over the real embedded store, with test connections that ack when told to. */
class InboxesTest {

    @TempDir
    Path dir;

    private EmbeddedStore store;
    private Inboxes inboxes;

    /** A connection: records each delivery with the future the test completes to ack it. */
    static final class Connection implements InboxSink {
        record Pending(QueuedMessage message, CompletableFuture<Void> ack) {
            String text() {
                return new String(message.payload(), UTF_8);
            }
        }

        final LinkedBlockingQueue<Pending> received = new LinkedBlockingQueue<>();

        @Override
        public CompletionStage<Void> deliver(QueuedMessage message) {
            CompletableFuture<Void> ack = new CompletableFuture<>();
            received.add(new Pending(message, ack));
            return ack;
        }

        Pending next() throws InterruptedException {
            Pending p = received.poll(10, TimeUnit.SECONDS);
            assertThat(p).as("a delivery within 10 s").isNotNull();
            return p;
        }
    }

    private void start(InboxConfig.Builder config) {
        store = EmbeddedStore.open(StoreConfig.newBuilder(dir).deliveryLimit(3).build());
        inboxes = Inboxes.create(store, config.build());
    }

    @AfterEach
    void stop() {
        if (inboxes != null) {
            inboxes.close();
        }
        if (store != null) {
            store.close();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }

    private long depth(String queue) {
        return store.depth(queue).toCompletableFuture().join();
    }

    @Test
    void storedWhileAwayDeliveredOnConnectRemovedOnAck() throws Exception {
        start(InboxConfig.newBuilder());
        inboxes.publish("alice", bytes("hello")).toCompletableFuture().get(10, TimeUnit.SECONDS);
        Connection c = new Connection();
        inboxes.connect("alice", c);
        Connection.Pending p = c.next();
        assertThat(p.text()).isEqualTo("hello");
        assertThat(p.message().attempt()).isEqualTo(1);
        p.ack().complete(null);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> depth("alice") == 0);
        // While connected, a new message is pushed at once.
        inboxes.publish("alice", bytes("live"));
        assertThat(c.next().text()).isEqualTo("live");
        assertThat(inboxes.stats().acked()).isEqualTo(1);
    }

    @Test
    void anUnackedDeliveryIsRedeliveredAfterTheAckTimeout() throws Exception {
        // 2 s: the ack of the second delivery must beat the timeout (else a third one would count).
        start(InboxConfig.newBuilder().ackTimeout(Duration.ofSeconds(2)));
        Connection c = new Connection();
        inboxes.connect("bob", c);
        inboxes.publish("bob", bytes("m"));
        Connection.Pending first = c.next();
        Connection.Pending again = c.next(); // after 2 s without an ack
        assertThat(again.message().id()).isEqualTo(first.message().id());
        assertThat(again.message().attempt()).isEqualTo(2);
        again.ack().complete(null);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> depth("bob") == 0);
        assertThat(inboxes.stats().timedOut()).isEqualTo(1);
    }

    @Test
    void unackedDeliveriesComeBackOnReconnect() throws Exception {
        start(InboxConfig.newBuilder());
        Connection first = new Connection();
        Inboxes.Registration reg = inboxes.connect("carol", first);
        inboxes.publish("carol", bytes("a"));
        inboxes.publish("carol", bytes("b"));
        assertThat(first.next().text()).isEqualTo("a");
        first.next().ack().complete(null); // "b" acked, "a" not
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> depth("carol") == 1);
        reg.close();
        Connection second = new Connection();
        inboxes.connect("carol", second);
        Connection.Pending p = second.next();
        assertThat(p.text()).isEqualTo("a");
        assertThat(p.message().attempt()).isEqualTo(2);
        // "b" was acked, so it does not come back: the next delivery is a marker published now.
        inboxes.publish("carol", bytes("marker"));
        assertThat(second.next().text()).isEqualTo("marker");
    }

    @Test
    void aRecipientNeverHoldsMoreThanMaxInFlight() throws Exception {
        start(InboxConfig.newBuilder().maxInFlight(2));
        for (int i = 0; i < 5; i++) {
            inboxes.publish("dave", bytes("m" + i)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        Connection c = new Connection();
        inboxes.connect("dave", c);
        Connection.Pending m0 = c.next();
        Connection.Pending m1 = c.next();
        assertThat(c.received.poll(2, TimeUnit.SECONDS)).as("no third delivery before an ack").isNull();
        // ... and the third comes once one is acked: the queue was not stuck.
        m0.ack().complete(null);
        assertThat(c.next().text()).isEqualTo("m2");
        assertThat(m1.text()).isEqualTo("m1");
    }

    @Test
    void fanoutOneSpreadsAcrossConnectionsAndAllReachesEach() throws Exception {
        start(InboxConfig.newBuilder().fanout(InboxConfig.Fanout.ONE));
        Connection x = new Connection();
        Connection y = new Connection();
        inboxes.connect("erin", x);
        inboxes.connect("erin", y);
        inboxes.publish("erin", bytes("1")).toCompletableFuture().get(10, TimeUnit.SECONDS);
        inboxes.publish("erin", bytes("2")).toCompletableFuture().get(10, TimeUnit.SECONDS);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> x.received.size() + y.received.size() == 2);
        assertThat(x.received).hasSize(1);
        assertThat(y.received).hasSize(1);
    }

    @Test
    void fanoutAllDeliversToEveryConnectionAndTheFirstAckWins() throws Exception {
        start(InboxConfig.newBuilder().fanout(InboxConfig.Fanout.ALL));
        Connection phone = new Connection();
        Connection laptop = new Connection();
        inboxes.connect("fay", phone);
        inboxes.connect("fay", laptop);
        // Both connects run on the inbox thread before the pump that follows the publish.
        inboxes.publish("fay", bytes("ping")).toCompletableFuture().get(10, TimeUnit.SECONDS);
        Connection.Pending onPhone = phone.next();
        Connection.Pending onLaptop = laptop.next();
        assertThat(onLaptop.message().id()).isEqualTo(onPhone.message().id());
        onPhone.ack().complete(null);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> depth("fay") == 0);
    }

    @Test
    void aMessageNoClientAcksEndsInTheDeadLetters() throws Exception {
        start(InboxConfig.newBuilder().ackTimeout(Duration.ofMillis(50)));
        Connection c = new Connection();
        inboxes.connect("gus", c);
        inboxes.publish("gus", bytes("poison"));
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> store.deadLetters("gus", 10).toCompletableFuture().join().size() == 1);
        assertThat(c.received).hasSize(3); // the store's delivery limit
        assertThat(depth("gus")).isZero();
    }
}
