package dev.switchboard.kafka.bridge;

import com.typesafe.config.ConfigFactory;
import dev.switchboard.core.bridge.BridgeConfig;
import dev.switchboard.core.bridge.BridgeHandle;
import dev.switchboard.core.bridge.BridgeMetrics;
import dev.switchboard.core.bridge.Bridges;
import dev.switchboard.core.bridge.InboundStorage;
import dev.switchboard.core.node.NodeConfig;
import dev.switchboard.core.routing.EncodedMessage;
import dev.switchboard.core.routing.Subscriber;
import dev.switchboard.core.routing.WireFormat;
import dev.switchboard.node.ComponentStatus;
import dev.switchboard.node.SwitchboardNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBufUtil;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.EventExecutor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.Awaitility;

/**
 * A node with a Kafka bridge on it, for tests against a real broker: a room member that records what it
 * receives ({@code event args [attachments]}), kafka-clients producers and consumers, the group's
 * committed offsets. Not thread-safe; one per test.
 */
final class BridgeFixture implements AutoCloseable {

    static final WireFormat TEXT = () -> "test-text";
    static final Duration WAIT = Duration.ofSeconds(60);

    final SwitchboardNode node;
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final EventExecutor loop = new DefaultEventExecutor();
    final String bootstrap;
    private final List<AutoCloseable> closing = new ArrayList<>();

    BridgeFixture(String bootstrap) {
        this.bootstrap = bootstrap;
        node = SwitchboardNode.start(NodeConfig.builder().name("kafka-bridge-test").build());
        node.router().register(TEXT, (m, f, alloc) -> {
            StringBuilder s = new StringBuilder(m.event()).append(' ').append(m.argumentsJson());
            for (int i = 0; i < m.attachmentCount(); i++) {
                var a = m.attachment(i);
                byte[] b = new byte[a.remaining()];
                a.get(b);
                s.append(" bin:").append(new String(b, StandardCharsets.UTF_8));
            }
            return EncodedMessage.of(f, ByteBufUtil.writeUtf8(alloc, s));
        });
    }

    /** Starts a bridge from HOCON options (bootstrap-servers added) and waits until it is UP. */
    BridgeHandle bridge(String name, String options, InboundStorage storage, BridgeConfig.Builder config) {
        KafkaBridgeFactory factory = new KafkaBridgeFactory();
        var bridge = factory.create(name, ConfigFactory.parseString("bootstrap-servers = \"" + bootstrap
                + "\"\nrequest-timeout = 3s\n" + options), registry);
        BridgeHandle h = Bridges.start(node, config.supervision(factory.supervision()).build(), bridge, storage,
                BridgeMetrics.micrometer(registry));
        closing.add(h);
        awaitState(h, ComponentStatus.State.UP);
        return h;
    }

    BridgeHandle bridge(String name, String options) {
        return bridge(name, options, InboundStorage.NONE, BridgeConfig.builder(name));
    }

    void awaitState(BridgeHandle h, ComponentStatus.State state) {
        Awaitility.await().atMost(WAIT).until(() -> state(h) == state);
    }

    ComponentStatus.State state(BridgeHandle h) {
        return node.health().components().stream().filter(c -> c.name().equals(h.componentName()))
                .map(ComponentStatus::state).findFirst().orElse(null);
    }

    /** A member of {@code room} of {@code space}. */
    Member member(String space, String room) {
        Member m = new Member(loop);
        node.router().subscribe(space, room, m);
        return m;
    }

    double count(String name, String... tags) {
        var c = registry.find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    Admin admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        Admin a = Admin.create(p);
        closing.add(a);
        return a;
    }

    void createTopic(String topic, int partitions) throws Exception {
        try (Admin a = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            a.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    /** Waits until {@code group} has committed offsets for every partition of {@code topic} (its start is fixed). */
    void awaitGroupStarted(String group, String topic, int partitions) {
        Awaitility.await().atMost(WAIT).until(() -> committed(group).keySet().stream()
                .filter(tp -> tp.topic().equals(topic)).count() == partitions);
    }

    Map<TopicPartition, Long> committed(String group) throws Exception {
        try (Admin a = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Map<TopicPartition, OffsetAndMetadata> m = a.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS);
            Map<TopicPartition, Long> out = new HashMap<>();
            m.forEach((tp, o) -> {
                if (o != null) {
                    out.put(tp, o.offset());
                }
            });
            return out;
        }
    }

    /** The end offset of each partition of {@code topic}. */
    Map<TopicPartition, Long> endOffsets(String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> tps = c.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            return new HashMap<>(c.endOffsets(tps));
        }
    }

    KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 << 20);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 5_000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 4_000);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        closing.add(producer);
        return producer;
    }

    /** Every record of {@code topic} from the beginning, waiting until there are at least {@code atLeast}. */
    List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int atLeast) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> tps = c.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(tps);
            c.seekToBeginning(tps);
            List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (out.size() < atLeast && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            return out;
        }
    }

    static String text(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : text(h.value());
    }

    @Override
    public void close() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
        node.close();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    /** A room member recording {@code event args} of what it receives, in order. */
    static final class Member implements Subscriber {
        final EventExecutor loop;
        final List<String> received = new CopyOnWriteArrayList<>();

        Member(EventExecutor loop) {
            this.loop = loop;
        }

        @Override
        public String id() {
            return "member-" + System.identityHashCode(this);
        }

        @Override
        public EventExecutor executor() {
            return loop;
        }

        @Override
        public WireFormat wireFormat() {
            return TEXT;
        }

        @Override
        public Delivery deliver(EncodedMessage message, boolean isVolatile) {
            received.add(message.frame(0).toString(StandardCharsets.UTF_8));
            return Delivery.WRITTEN;
        }

        @Override
        public void flush() {}

        void awaitCount(int n) {
            Awaitility.await().atMost(WAIT).alias("member received " + received).until(() -> received.size() >= n);
        }
    }

    static Set<String> set(Collection<String> c) {
        return Set.copyOf(c);
    }
}
