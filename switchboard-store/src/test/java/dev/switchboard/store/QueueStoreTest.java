package dev.switchboard.store;

import dev.switchboard.core.spi.RetentionPolicy;
import dev.switchboard.core.spi.StoreException;
import static dev.switchboard.store.Await.failure;
import static dev.switchboard.store.Await.get;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.spi.QueueStore.QueuedMessage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class QueueStoreTest {

    private static final Duration LONG = Duration.ofMinutes(5);

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(1_700_000_000_000L);

    private StoreConfig.Builder config() {
        return StoreConfig.newBuilder(dir).clock(clock).leaseCheckInterval(Duration.ofMillis(5)).deliveryLimit(3);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }

    private static List<String> payloads(List<QueuedMessage> m) {
        return m.stream().map(q -> new String(q.payload(), UTF_8)).toList();
    }

    @ParameterizedTest
    @EnumSource(Durability.class)
    void leaseHidesMessagesUntilAckedAndAckRemovesThem(Durability durability) {
        try (EmbeddedStore store = EmbeddedStore.open(config().durability(durability).build())) {
            for (int i = 0; i < 5; i++) {
                assertThat(get(store.enqueue("user-1", java.util.UUID.randomUUID().toString(), bytes("m" + i)))).isEqualTo(i);
            }
            assertThat(get(store.depth("user-1"))).isEqualTo(5);
            List<QueuedMessage> first = get(store.lease("user-1", 2, LONG));
            assertThat(payloads(first)).containsExactly("m0", "m1");
            assertThat(first.get(0).attempt()).isEqualTo(1);
            assertThat(first.get(0).enqueuedAtMillis()).isEqualTo(clock.millis());
            // Leased messages are hidden from the next lease.
            assertThat(payloads(get(store.lease("user-1", 10, LONG)))).containsExactly("m2", "m3", "m4");
            assertThat(get(store.lease("user-1", 10, LONG))).isEmpty();
            assertThat(get(store.depth("user-1"))).isEqualTo(5);
            get(store.ack(new EmbeddedDelivery("user-1", 0, 1)));
            get(store.ack(new EmbeddedDelivery("user-1", 0, 1))); // idempotent
            get(store.ack(new EmbeddedDelivery("user-1", 42, 1))); // unknown id
            get(store.ack(new EmbeddedDelivery("nobody", 1, 1))); // unknown queue
            assertThat(get(store.depth("user-1"))).isEqualTo(4);
            assertThat(get(store.depth("nobody"))).isZero();
        }
    }

    @Test
    void releaseMakesAMessageDeliverableAgainWithItsAttemptCounted() {
        try (EmbeddedStore store = EmbeddedStore.open(config().build())) {
            get(store.enqueue("q", java.util.UUID.randomUUID().toString(), bytes("a")));
            get(store.enqueue("q", java.util.UUID.randomUUID().toString(), bytes("b")));
            List<QueuedMessage> leased = get(store.lease("q", 2, LONG));
            get(store.release(leased.get(1).delivery()));
            List<QueuedMessage> again = get(store.lease("q", 10, LONG));
            assertThat(payloads(again)).containsExactly("b");
            assertThat(again.get(0).attempt()).isEqualTo(2);
            assertThat(store.stats().redeliveries()).isEqualTo(1);
            // Releasing something not leased does nothing.
            get(store.release(new EmbeddedDelivery("q", 99, 1)));
            assertThat(get(store.lease("q", 10, LONG))).isEmpty();
        }
    }

    @Test
    void anExpiredLeaseIsRedeliveredOldestFirst() {
        try (EmbeddedStore store = EmbeddedStore.open(config().build())) {
            for (int i = 0; i < 3; i++) {
                get(store.enqueue("q", java.util.UUID.randomUUID().toString(), bytes("m" + i)));
            }
            List<QueuedMessage> leased = get(store.lease("q", 2, Duration.ofSeconds(30)));
            assertThat(payloads(leased)).containsExactly("m0", "m1");
            get(store.ack(leased.get(0).delivery()));
            clock.advance(Duration.ofSeconds(31));
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> store.stats().redeliveries() == 1);
            List<QueuedMessage> next = get(store.lease("q", 10, Duration.ofSeconds(30)));
            // The expired m1 comes back before the never-delivered m2.
            assertThat(payloads(next)).containsExactly("m1", "m2");
            assertThat(next.get(0).attempt()).isEqualTo(2);
            assertThat(next.get(1).attempt()).isEqualTo(1);
        }
    }

    @Test
    void pastTheDeliveryLimitAMessageIsDeadLettered() {
        try (EmbeddedStore store = EmbeddedStore.open(config().build())) {
            get(store.enqueue("q", java.util.UUID.randomUUID().toString(), bytes("poison")));
            get(store.enqueue("q", java.util.UUID.randomUUID().toString(), bytes("fine")));
            for (int attempt = 1; attempt <= 3; attempt++) {
                List<QueuedMessage> m = get(store.lease("q", 1, LONG));
                assertThat(payloads(m)).containsExactly("poison");
                assertThat(m.get(0).attempt()).isEqualTo(attempt);
                get(store.release(m.get(0).delivery()));
            }
            assertThat(get(store.depth("q"))).isEqualTo(1);
            List<QueuedMessage> dead = get(store.deadLetters("q", 10));
            assertThat(payloads(dead)).containsExactly("poison");
            assertThat(dead.get(0).attempt()).isEqualTo(3);
            assertThat(dead.get(0).id()).isZero();
            assertThat(payloads(get(store.lease("q", 10, LONG)))).containsExactly("fine");
            assertThat(store.stats().deadLettered()).isEqualTo(1);
        }
    }

    @Test
    void expiryAlsoCountsTowardsTheDeliveryLimit() {
        try (EmbeddedStore store = EmbeddedStore.open(config().deliveryLimit(1).build())) {
            get(store.enqueue("q", java.util.UUID.randomUUID().toString(), bytes("x")));
            assertThat(get(store.lease("q", 1, Duration.ofSeconds(1)))).hasSize(1);
            clock.advance(Duration.ofSeconds(2));
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> store.stats().deadLettered() == 1);
            assertThat(get(store.depth("q"))).isZero();
            assertThat(payloads(get(store.deadLetters("q", 10)))).containsExactly("x");
        }
    }

    @Test
    void aRestartKeepsUnackedMessagesAndRedeliversLeasedOnes() {
        try (EmbeddedStore store = EmbeddedStore.open(config().build())) {
            for (int i = 0; i < 6; i++) {
                get(store.enqueue("q", java.util.UUID.randomUUID().toString(), bytes("m" + i)));
            }
            List<QueuedMessage> leased = get(store.lease("q", 4, LONG));
            get(store.ack(leased.get(0).delivery()));
            get(store.ack(leased.get(2).delivery()));
        }
        try (EmbeddedStore store = EmbeddedStore.open(config().build())) {
            assertThat(get(store.depth("q"))).isEqualTo(4);
            List<QueuedMessage> after = get(store.lease("q", 10, LONG));
            assertThat(payloads(after)).containsExactly("m1", "m3", "m4", "m5");
            // Delivery counts survive the restart.
            assertThat(after.stream().map(QueuedMessage::attempt).toList()).containsExactly(2, 2, 1, 1);
            // Ids keep growing after a restart, even once everything was acked.
            for (QueuedMessage m : after) {
                get(store.ack(m.delivery()));
            }
            assertThat(get(store.depth("q"))).isZero();
        }
        try (EmbeddedStore store = EmbeddedStore.open(config().build())) {
            assertThat(get(store.enqueue("q", java.util.UUID.randomUUID().toString(), bytes("later")))).isEqualTo(6);
        }
    }

    @Test
    void aMessageDeliveredToTheLimitBeforeARestartIsDeadLetteredNotDeliveredAgain() {
        try (EmbeddedStore store = EmbeddedStore.open(config().build())) {
            get(store.enqueue("q", java.util.UUID.randomUUID().toString(), bytes("poison")));
            for (int attempt = 1; attempt <= 2; attempt++) {
                get(store.release(get(store.lease("q", 1, LONG)).get(0).delivery()));
            }
            assertThat(get(store.lease("q", 1, LONG)).get(0).attempt()).isEqualTo(3);
            // Crash-like: close while the third delivery is still leased.
        }
        try (EmbeddedStore store = EmbeddedStore.open(config().build())) {
            assertThat(get(store.lease("q", 10, LONG))).isEmpty();
            assertThat(payloads(get(store.deadLetters("q", 10)))).containsExactly("poison");
            assertThat(get(store.depth("q"))).isZero();
        }
    }

    @Test
    void ackingWithoutALeaseAfterARestartStillRemoves() {
        try (EmbeddedStore store = EmbeddedStore.open(config().build())) {
            get(store.enqueue("q", java.util.UUID.randomUUID().toString(), bytes("a")));
            get(store.enqueue("q", java.util.UUID.randomUUID().toString(), bytes("b")));
        }
        try (EmbeddedStore store = EmbeddedStore.open(config().build())) {
            get(store.ack(new EmbeddedDelivery("q", 0, 1)));
            assertThat(get(store.depth("q"))).isEqualTo(1);
            assertThat(payloads(get(store.lease("q", 10, LONG)))).containsExactly("b");
        }
    }

    @Test
    void aFullQueueRefusesTheEnqueue() {
        try (EmbeddedStore store = EmbeddedStore.open(config().maxQueueDepth(2).build())) {
            get(store.enqueue("q", java.util.UUID.randomUUID().toString(), bytes("1")));
            get(store.enqueue("q", java.util.UUID.randomUUID().toString(), bytes("2")));
            Throwable t = failure(store.enqueue("q", java.util.UUID.randomUUID().toString(), bytes("3")));
            assertThat(((StoreException) t).reason()).isEqualTo(StoreException.Reason.QUEUE_FULL);
            assertThat(store.stats().rejectedQueueFull()).isEqualTo(1);
            get(store.enqueue("other", java.util.UUID.randomUUID().toString(), bytes("1")));
            get(store.ack(get(store.lease("q", 1, LONG)).get(0).delivery()));
            assertThat(get(store.enqueue("q", java.util.UUID.randomUUID().toString(), bytes("3")))).isEqualTo(2);
        }
    }

    @Test
    void aLeaseInTheSameGroupCommitAsTheEnqueueDoesNotLoseTheMessage() throws Exception {
        try (EmbeddedStore store = EmbeddedStore.open(config().build())) {
            java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            store.writer().submit(b -> {
                held.countDown();
                try {
                    release.await(30, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return null;
            });
            assertThat(held.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            // Both wait behind the held writer and are applied in one batch.
            var enqueued = store.enqueue("q", java.util.UUID.randomUUID().toString(), bytes("x"));
            var leasedTogether = store.lease("q", 10, LONG);
            release.countDown();
            assertThat(get(enqueued)).isZero();
            List<QueuedMessage> first = get(leasedTogether);
            // Uncommitted when the lease ran: not handed out yet, but found by the next lease.
            List<QueuedMessage> all = new java.util.ArrayList<>(first);
            all.addAll(get(store.lease("q", 10, LONG)));
            assertThat(payloads(all)).containsExactly("x");
            assertThat(get(store.lease("q", 10, LONG))).isEmpty();
        }
    }

    @Test
    void refusesBadLeaseArguments() {
        try (EmbeddedStore store = EmbeddedStore.open(config().build())) {
            assertThat(failure(store.lease("q", 0, LONG))).isInstanceOf(IllegalArgumentException.class);
            assertThat(failure(store.lease("q", 1, Duration.ZERO))).isInstanceOf(IllegalArgumentException.class);
            assertThat(failure(store.lease("q", 1, Duration.ofDays(30)))).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void manyAcksOfLongLeasesKeepTheDeadlineHeapBounded() {
        try (EmbeddedStore store = EmbeddedStore.open(config().deliveryLimit(20).build())) {
            for (int round = 0; round < 5; round++) {
                for (int i = 0; i < 999; i++) {
                    store.enqueue("q", java.util.UUID.randomUUID().toString(), bytes("m"));
                }
                get(store.enqueue("q", java.util.UUID.randomUUID().toString(), bytes("m")));
                List<QueuedMessage> leased = get(store.lease("q", 1000, LONG));
                assertThat(leased).hasSize(1000);
                for (QueuedMessage m : leased) {
                    store.ack(m.delivery());
                }
            }
            assertThat(get(store.depth("q"))).isZero();
            // 5000 leases were granted with a 5-minute deadline and all acked: the stale entries were purged.
            assertThat(get(store.writer().<Integer>submit(b -> store.queues().deadlineHeapSize())).intValue()).isLessThanOrEqualTo(1024 + 1);
        }
    }
}
