package dev.switchboard.kafka.bridge;

import static dev.switchboard.kafka.bridge.BridgeFixture.WAIT;
import static dev.switchboard.kafka.bridge.BridgeFixture.header;
import static dev.switchboard.kafka.bridge.BridgeFixture.text;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import dev.switchboard.core.bridge.BridgeConfig;
import dev.switchboard.core.bridge.BridgeHandle;
import dev.switchboard.core.bridge.Bridges;
import dev.switchboard.core.bridge.InboundStorage;
import dev.switchboard.core.message.Message;
import dev.switchboard.core.message.MessageId;
import dev.switchboard.testkit.kafka.KafkaBroker;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kafka bridge on a real node against a real single-node broker (a child JVM, one for the class; each
 * test has its own topics): the mapping rules, dead letters (bad JSON, missing key or header, oversized)
 * that never stop the partition, duplicates suppressed by message id, per-partition back-pressure, offsets
 * committed only after acceptance, and outbound records acknowledged with their offset.
 */
class KafkaBridgeTest {

    @TempDir
    static Path dir;

    private static KafkaBroker broker;
    private static final AtomicInteger ids = new AtomicInteger();

    private BridgeFixture f;
    private String topic;

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

    @BeforeEach
    void setUp() {
        f = new BridgeFixture(broker.bootstrapServers());
        topic = "in-" + ids.incrementAndGet();
    }

    @AfterEach
    void tearDown() throws Exception {
        f.close();
    }

    private static ProducerRecord<byte[], byte[]> record(String topic, String key, String value) {
        return new ProducerRecord<>(topic, key == null ? null : key.getBytes(UTF_8), value == null ? null : value.getBytes(UTF_8));
    }

    private static void sent(KafkaProducer<byte[], byte[]> p, ProducerRecord<byte[], byte[]> r) throws Exception {
        p.send(r).get(30, TimeUnit.SECONDS);
    }

    @Test
    void recordsBecomeEventsInTheRoomOfTheirKeyHeaderOrFixedName() throws Exception {
        f.createTopic(topic, 2);
        f.createTopic(topic + "-b", 1);
        f.bridge("map", """
                inbound = [
                  { topic = "%1$s", room = "key", event = "news" }
                  { topic = "%1$s-b", namespace = "/feeds", room = "header:room", event = "header:kind", value = "binary" }
                ]
                """.formatted(topic));
        f.awaitGroupStarted("switchboard-map-" + topic, topic, 2);
        f.awaitGroupStarted("switchboard-map-" + topic + "-b", topic + "-b", 1);
        BridgeFixture.Member lobby = f.member("/", "lobby");
        BridgeFixture.Member feed = f.member("/feeds", "f1");
        KafkaProducer<byte[], byte[]> p = f.producer();
        for (int i = 1; i <= 3; i++) {
            sent(p, record(topic, "lobby", "{\"n\":" + i + "}"));
        }
        sent(p, record(topic, "elsewhere", "[1, 2]"));
        ProducerRecord<byte[], byte[]> bin = record(topic + "-b", null, "raw bytes");
        bin.headers().add("room", "f1".getBytes(UTF_8)).add("kind", "blob".getBytes(UTF_8));
        sent(p, bin);

        lobby.awaitCount(3);
        feed.awaitCount(1);
        assertThat(lobby.received).as("JSON value as the only argument, bytes as sent, in order")
                .containsExactly("news [{\"n\":1}]", "news [{\"n\":2}]", "news [{\"n\":3}]");
        assertThat(feed.received).containsExactly("blob [{\"_placeholder\":true,\"num\":0}] bin:raw bytes");
        Awaitility.await().atMost(WAIT).until(() -> f.count("switchboard.kafka.bridge.delivered", "topic", topic) == 4);
        assertThat(f.count("switchboard.kafka.bridge.consumed", "topic", topic)).isEqualTo(4);
        // Offsets are committed once accepted: the group stands after the last record of each partition.
        Awaitility.await().atMost(WAIT).until(() -> f.committed("switchboard-map-" + topic).entrySet().stream()
                .filter(e -> e.getKey().topic().equals(topic)).mapToLong(Map.Entry::getValue).sum() == 4);
    }

    @Test
    void unmappableRecordsGoToTheDeadLetterTopicWithTheirReasonAndThePartitionGoesOn() throws Exception {
        f.createTopic(topic, 1);
        f.createTopic(topic + ".dead", 1);
        f.bridge("dlt", """
                inbound = [ { topic = "%1$s", room = "key", event = "header:ev", dead-letter-topic = "%1$s.dead", max-record-bytes = 1k } ]
                """.formatted(topic));
        f.awaitGroupStarted("switchboard-dlt-" + topic, topic, 1);
        BridgeFixture.Member room = f.member("/", "r");
        KafkaProducer<byte[], byte[]> p = f.producer();
        ProducerRecord<byte[], byte[]> badJson = record(topic, "r", "{\"unclosed\": ");
        ProducerRecord<byte[], byte[]> noKey = record(topic, null, "1");
        ProducerRecord<byte[], byte[]> noHeader = record(topic, "r", "2");
        ProducerRecord<byte[], byte[]> oversized = record(topic, "r", "\"" + "x".repeat(2000) + "\"");
        ProducerRecord<byte[], byte[]> good = record(topic, "r", "3");
        for (ProducerRecord<byte[], byte[]> r : List.of(badJson, noKey, oversized, good)) {
            r.headers().add("ev", "e".getBytes(UTF_8));
        }
        for (ProducerRecord<byte[], byte[]> r : List.of(badJson, noKey, noHeader, oversized, good)) {
            sent(p, r);
        }
        room.awaitCount(1);
        assertThat(room.received).containsExactly("e [3]");

        List<ConsumerRecord<byte[], byte[]>> dead = f.readAll(topic + ".dead", 4);
        assertThat(dead).extracting(r -> header(r, KafkaBridge.REASON_HEADER))
                .containsExactly("bad-json", "missing-key", "missing-header", "oversized");
        assertThat(dead.get(0).value()).as("the record as it was").isEqualTo(badJson.value());
        assertThat(header(dead.get(0), "ev")).as("its own headers kept").isEqualTo("e");
        assertThat(header(dead.get(3), "sb-dead-letter-source")).isEqualTo(topic + "-0@3");
        for (String reason : List.of("bad-json", "missing-key", "missing-header", "oversized")) {
            assertThat(f.count("switchboard.kafka.bridge.dead.lettered", "topic", topic, "reason", reason)).as(reason).isEqualTo(1);
        }
        Awaitility.await().atMost(WAIT).until(() -> f.committed("switchboard-dlt-" + topic)
                .get(new TopicPartition(topic, 0)) == 5L);
    }

    @Test
    void aRecordWithAMessageIdAlreadyDeliveredIsNotDeliveredAgain() throws Exception {
        f.createTopic(topic, 1);
        f.bridge("dup", "inbound = [ { topic = \"%s\", room = \"key\", event = \"e\" } ]".formatted(topic));
        f.awaitGroupStarted("switchboard-dup-" + topic, topic, 1);
        BridgeFixture.Member room = f.member("/", "r");
        KafkaProducer<byte[], byte[]> p = f.producer();
        String id = MessageId.random().toString();
        for (String v : List.of("1", "1", "2")) {
            ProducerRecord<byte[], byte[]> r = record(topic, "r", v);
            if (v.equals("1")) {
                r.headers().add(RecordMapper.MESSAGE_ID_HEADER, id.getBytes(UTF_8));
            }
            sent(p, r);
        }
        room.awaitCount(2);
        Awaitility.await().atMost(WAIT).until(() -> f.committed("switchboard-dup-" + topic).get(new TopicPartition(topic, 0)) == 3L);
        assertThat(room.received).containsExactly("e [1]", "e [2]");
        assertThat(f.count("switchboard.kafka.bridge.duplicates", "topic", topic)).isEqualTo(1);
    }

    /** A store that holds every message until released, and can be told to refuse. */
    private static final class HeldStorage implements InboundStorage {
        final ConcurrentLinkedQueue<CompletableFuture<Message>> held = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Message> pendingMessages = new ConcurrentLinkedQueue<>();
        volatile boolean hold = true;
        volatile boolean refuse;

        @Override
        public java.util.concurrent.CompletionStage<Message> store(Message message) {
            if (refuse) {
                return CompletableFuture.failedFuture(new IllegalStateException("store refuses"));
            }
            if (!hold) {
                return CompletableFuture.completedFuture(message);
            }
            CompletableFuture<Message> c = new CompletableFuture<>();
            held.add(c);
            pendingMessages.add(message);
            return c;
        }

        void releaseAll() {
            hold = false;
            CompletableFuture<Message> c;
            while ((c = held.poll()) != null) {
                c.complete(pendingMessages.poll());
            }
        }
    }

    @Test
    void aSlowFabricPausesThePartitionInsteadOfBufferingAndNothingIsCommittedBeforeItIsAccepted() throws Exception {
        f.createTopic(topic, 1);
        HeldStorage storage = new HeldStorage();
        f.bridge("slow", "inbound = [ { topic = \"%s\", room = \"key\", event = \"e\", max-queued-per-partition = 20 } ]"
                .formatted(topic), storage, BridgeConfig.builder("slow").inboundMaxInFlight(8));
        String group = "switchboard-slow-" + topic;
        f.awaitGroupStarted(group, topic, 1);
        BridgeFixture.Member room = f.member("/", "r");
        KafkaProducer<byte[], byte[]> p = f.producer();
        List<java.util.concurrent.Future<?>> sends = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            sends.add(p.send(record(topic, "r", Integer.toString(i))));
        }
        for (var s : sends) {
            s.get(30, TimeUnit.SECONDS);
        }
        Awaitility.await().atMost(WAIT).until(() -> storage.held.size() == 8);
        // Held: 8 in the window; the partition pauses once 20 are queued (at most one poll of 20 more).
        Awaitility.await().atMost(WAIT).until(() -> f.count("switchboard.kafka.bridge.consumed", "topic", topic) >= 8 + 12);
        Awaitility.await().during(java.time.Duration.ofSeconds(3)).atMost(WAIT)
                .until(() -> f.count("switchboard.kafka.bridge.consumed", "topic", topic) <= 8 + 20 + 20);
        double queued = f.registry.find("switchboard.kafka.bridge.queued").tags("topic", topic).gauge().value();
        assertThat(queued).isBetween(12.0, 40.0);
        assertThat(f.committed(group).get(new TopicPartition(topic, 0))).as("nothing accepted, nothing committed").isEqualTo(0L);
        Awaitility.await().atMost(WAIT).until(() -> {
            var lag = f.registry.find("switchboard.kafka.bridge.lag").tags("topic", topic, "partition", "0").gauge();
            return lag != null && lag.value() == 300;
        });

        storage.releaseAll();
        room.awaitCount(300);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            expected.add("e [" + i + "]");
        }
        assertThat(room.received).as("all, once, in order").isEqualTo(expected);
        Awaitility.await().atMost(WAIT).until(() -> f.committed(group).get(new TopicPartition(topic, 0)) == 300L);
    }

    @Test
    void aRecordTheFabricRefusesIsReadAgainAndDeliveredOnceItIsAccepted() throws Exception {
        f.createTopic(topic, 1);
        HeldStorage storage = new HeldStorage();
        storage.hold = false;
        storage.refuse = true;
        f.bridge("retry", "inbound = [ { topic = \"%s\", room = \"key\", event = \"e\" } ]".formatted(topic), storage,
                BridgeConfig.builder("retry"));
        String group = "switchboard-retry-" + topic;
        f.awaitGroupStarted(group, topic, 1);
        BridgeFixture.Member room = f.member("/", "r");
        KafkaProducer<byte[], byte[]> p = f.producer();
        sent(p, record(topic, "r", "1"));
        sent(p, record(topic, "r", "2"));
        Awaitility.await().atMost(WAIT).until(() -> f.count("switchboard.bridge.failed", "bridge", "retry", "direction", "in") >= 2);
        assertThat(f.committed(group).get(new TopicPartition(topic, 0))).isEqualTo(0L);
        storage.refuse = false;
        room.awaitCount(2);
        Awaitility.await().atMost(WAIT).until(() -> f.committed(group).get(new TopicPartition(topic, 0)) == 2L);
        assertThat(room.received).containsExactly("e [1]", "e [2]");
    }

    @Test
    void outboundEventsAreProducedWithTheirKeyAndOriginAndAcknowledgedWithTheirOffset() throws Exception {
        f.createTopic(topic, 3);
        BridgeHandle h = f.bridge("out", """
                outbound = [
                  { namespace = "/", event = "order", topic = "%1$s", key = "arg:id" }
                  { namespace = "/", event = "whoami", topic = "%1$s", key = "user-id", value = "array" }
                ]
                """.formatted(topic), InboundStorage.NONE, BridgeConfig.builder("out").event("/", "order").event("/", "whoami"));
        Message order = Message.builder("/", "order").arguments("[{\"id\":\"o-7\",\"qty\":2}]")
                .headers(Map.of(Bridges.SOCKET_HEADER, "sock-1")).build();
        Map<String, Object> receipt = h.sendWithReceipt(order).toCompletableFuture().get(30, TimeUnit.SECONDS);
        Message who = Message.builder("/", "whoami").arguments("[1,\"a\"]")
                .headers(Map.of(Bridges.SOCKET_HEADER, "sock-2", Bridges.USER_HEADER, "alice")).build();
        Map<String, Object> receipt2 = h.sendWithReceipt(who).toCompletableFuture().get(30, TimeUnit.SECONDS);
        Message anonymous = Message.builder("/", "whoami").arguments("[]").build();
        assertThatThrownBy(() -> h.sendWithReceipt(anonymous).toCompletableFuture().get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasMessageContaining("authenticated user");

        List<ConsumerRecord<byte[], byte[]>> records = f.readAll(topic, 2);
        ConsumerRecord<byte[], byte[]> r = records.stream().filter(x -> header(x, "sb-event").equals("order")).findFirst().orElseThrow();
        assertThat(receipt).containsEntry("partition", r.partition()).containsEntry("offset", r.offset());
        assertThat(text(r.key())).isEqualTo("o-7");
        assertThat(text(r.value())).isEqualTo("{\"id\":\"o-7\",\"qty\":2}");
        assertThat(header(r, "sb-namespace")).isEqualTo("/");
        assertThat(header(r, "sb-socket-id")).isEqualTo("sock-1");
        assertThat(header(r, "sb-user-id")).isNull();
        assertThat(header(r, RecordMapper.MESSAGE_ID_HEADER)).isEqualTo(order.id().toString());
        ConsumerRecord<byte[], byte[]> w = records.stream().filter(x -> header(x, "sb-event").equals("whoami")).findFirst().orElseThrow();
        assertThat(receipt2).containsEntry("offset", w.offset());
        assertThat(text(w.key())).isEqualTo("alice");
        assertThat(text(w.value())).isEqualTo("[1,\"a\"]");
        assertThat(header(w, "sb-user-id")).isEqualTo("alice");
        assertThat(f.registry.find("switchboard.kafka.bridge.produce").tags("topic", topic, "event", "order").timer().count())
                .isEqualTo(1);
    }

    @Test
    void optionsAreValidatedWithTheKeyNamed() {
        KafkaBridgeFactory factory = new KafkaBridgeFactory();
        assertThatThrownBy(() -> factory.create("x", ConfigFactory.parseString("bootstrap-servers = \"h:1\"")))
                .hasMessageContaining("no inbound and no outbound rule");
        assertThatThrownBy(() -> factory.create("x", ConfigFactory.parseString(
                "bootstrap-servers = \"h:1\", inbound = [ { topic = t, room = nope, event = e } ]")))
                .hasMessageContaining("inbound[0].room");
        assertThatThrownBy(() -> factory.create("x", ConfigFactory.parseString(
                "bootstrap-servers = \"h:1\", outbound = [ { event = e, topic = t, key = \"arg:\" } ]")))
                .hasMessageContaining("outbound[0].key");
        assertThatThrownBy(() -> factory.create("x", ConfigFactory.parseString(
                "bootstrap-servers = \"h:1\", inbound = [ { topic = t, room = key, event = e, colour = red } ]")))
                .hasMessageContaining("inbound[0].colour: unknown key");
        assertThat(Set.of(factory.type())).containsExactly("kafka");
    }
}
