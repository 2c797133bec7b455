package dev.switchboard.kafka.bridge;

import static dev.switchboard.kafka.bridge.BridgeFixture.WAIT;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.bridge.BridgeConfig;
import dev.switchboard.core.bridge.BridgeHandle;
import dev.switchboard.core.bridge.InboundStorage;
import dev.switchboard.core.message.Message;
import dev.switchboard.node.ComponentStatus;
import dev.switchboard.testkit.kafka.KafkaBroker;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker killed with SIGKILL and restarted while records flow both ways through a bridge: no record
 * a producer got Kafka's acknowledgement for is lost on the way to the room (and none arrives twice), the
 * inbound side resumes from its group's committed offsets, the bridge reports itself down while the
 * broker is away and answers its sends with errors, and every send it acknowledged is in the topic at the
 * offset it answered. One broker (a child JVM) for the class.
 */
class KafkaBridgeFaultTest {

    @TempDir
    static Path dir;

    private static KafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = KafkaBroker.startForTests(dir.resolve("kafka"));
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.kill();
        }
    }

    /** Sends values from {@code next} on, recording those Kafka acknowledged; failures are expected while the broker is away. */
    private static final class Feeder {
        final KafkaProducer<byte[], byte[]> producer;
        final String topic;
        final Set<Integer> acked = ConcurrentHashMap.newKeySet();
        final AtomicInteger next = new AtomicInteger();

        Feeder(KafkaProducer<byte[], byte[]> producer, String topic) {
            this.producer = producer;
            this.topic = topic;
        }

        void send(int n) {
            for (int i = 0; i < n; i++) {
                int v = next.getAndIncrement();
                try {
                    producer.send(new ProducerRecord<>(topic, "r".getBytes(UTF_8), Integer.toString(v).getBytes(UTF_8)),
                            (md, e) -> {
                                if (e == null) {
                                    acked.add(v);
                                }
                            });
                } catch (RuntimeException e) {
                    // Metadata unavailable while the broker is away: not acknowledged, so not expected either.
                }
            }
            producer.flush();
        }
    }

    @Test
    void aBrokerKilledAndRestartedLosesNoAcknowledgedRecordEitherWay() throws Exception {
        try (BridgeFixture f = new BridgeFixture(broker.bootstrapServers())) {
            f.createTopic("feed", 2);
            f.createTopic("orders", 2);
            BridgeHandle h = f.bridge("fault", """
                    inbound = [ { topic = "feed", room = "key", event = "e" } ]
                    outbound = [ { namespace = "/", event = "order", topic = "orders", key = "arg:id" } ]
                    """, InboundStorage.NONE, BridgeConfig.builder("fault").event("/", "order")
                    .outboundTimeout(java.time.Duration.ofSeconds(8)));
            f.awaitGroupStarted("switchboard-fault-feed", "feed", 2);
            BridgeFixture.Member room = f.member("/", "r");
            Feeder feeder = new Feeder(f.producer(), "feed");
            Map<Integer, Map<String, Object>> sentOut = new ConcurrentHashMap<>();
            AtomicInteger orderIds = new AtomicInteger();
            AtomicInteger outFailures = new AtomicInteger();
            Runnable order = () -> {
                int id = orderIds.getAndIncrement();
                h.sendWithReceipt(Message.builder("/", "order").arguments("[{\"id\":" + id + "}]").build())
                        .whenComplete((receipt, e) -> {
                            if (e == null) {
                                sentOut.put(id, receipt);
                            } else {
                                outFailures.incrementAndGet();
                            }
                        });
            };

            feeder.send(50);
            for (int i = 0; i < 20; i++) {
                order.run();
            }
            Awaitility.await().atMost(WAIT).until(() -> room.received.size() >= 50 && sentOut.size() == 20);

            broker.kill();
            feeder.send(10); // not acknowledged: the broker is gone
            Awaitility.await().atMost(WAIT).until(() -> f.state(h) != ComponentStatus.State.UP);
            for (int i = 0; i < 5; i++) {
                order.run();
            }
            Awaitility.await().atMost(WAIT).until(() -> outFailures.get() >= 5);
            assertThat(f.registry.find("switchboard.kafka.bridge.queued").tags("topic", "feed").gauge().value())
                    .as("nothing piles up while the broker is away").isLessThanOrEqualTo(1000 + 500);

            broker.restart();
            f.awaitState(h, ComponentStatus.State.UP);
            feeder.send(50);
            for (int i = 0; i < 20; i++) {
                order.run();
            }

            Set<Integer> expected = new HashSet<>(feeder.acked);
            assertThat(expected).as("acknowledged before and after the outage").hasSizeGreaterThanOrEqualTo(100);
            Awaitility.await().atMost(WAIT).alias("every acknowledged record delivered").until(() -> delivered(room).containsAll(expected));
            List<Integer> values = deliveredList(room);
            assertThat(values).as("no record delivered twice").doesNotHaveDuplicates();

            // Resumed from committed offsets and went on committing: the group stands at the end of each partition.
            Map<TopicPartition, Long> end = f.endOffsets("feed");
            Awaitility.await().atMost(WAIT).alias("committed at " + end).until(() -> f.committed("switchboard-fault-feed").equals(end));

            Awaitility.await().atMost(WAIT).until(() -> sentOut.size() + outFailures.get() == orderIds.get());
            assertThat(sentOut).hasSizeGreaterThanOrEqualTo(40);
            Map<String, String> inTopic = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : f.readAll("orders", sentOut.size())) {
                inTopic.put(r.partition() + "@" + r.offset(), new String(r.value(), UTF_8));
            }
            sentOut.forEach((id, receipt) -> assertThat(inTopic.get(receipt.get("partition") + "@" + receipt.get("offset")))
                    .as("acknowledged send " + id).isEqualTo("{\"id\":" + id + "}"));
        }
    }

    private static List<Integer> deliveredList(BridgeFixture.Member room) {
        List<Integer> out = new ArrayList<>();
        for (String s : room.received) {
            out.add(Integer.parseInt(s.substring("e [".length(), s.length() - 1)));
        }
        return out;
    }

    private static Set<Integer> delivered(BridgeFixture.Member room) {
        return new HashSet<>(deliveredList(room));
    }
}
