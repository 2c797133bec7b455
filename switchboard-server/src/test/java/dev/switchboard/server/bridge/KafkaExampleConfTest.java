package dev.switchboard.server.bridge;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.server.SwitchboardServer;
import dev.switchboard.server.config.ConfigLoader;
import dev.switchboard.server.durable.DurableClient;
import dev.switchboard.server.durable.Http;
import dev.switchboard.testkit.kafka.KafkaBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code docs/examples/kafka.conf} exactly as shipped (only its bootstrap address pointed at the test's
 * broker, a child JVM started once for the class), proving each of its rules with the official
 * socket.io-client and kafka-clients: records of {@code news} reach the room named by their key as event
 * {@code news}; client events {@code order} are produced to {@code orders} and acknowledged with their
 * offset only after Kafka's acknowledgement; rooms {@code d-*} are durable on Kafka (a client that drops
 * gets the missed {@code news} records on recovery, and they are in the history).
 */
class KafkaExampleConfTest {

    private static final Path EXAMPLE = Path.of("..", "docs", "examples", "kafka.conf");
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;

    private static KafkaBroker broker;
    private static SwitchboardServer server;
    private static String base;
    private static KafkaProducer<String, String> producer;

    private final List<DurableClient> clients = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        assertThat(Files.isRegularFile(EXAMPLE)).as(EXAMPLE.toAbsolutePath().toString()).isTrue();
        broker = KafkaBroker.startForTests(dir.resolve("kafka"));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("news", 2, (short) 1), new NewTopic("orders", 2, (short) 1),
                    new NewTopic("news.dead", 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
        }
        server = SwitchboardServer.start(new ConfigLoader().load(Optional.of(EXAMPLE), Map.of(), Map.of(
                "switchboard.kafka.bootstrap-servers", broker.bootstrapServers(),
                "switchboard.http.port", 0,
                "switchboard.data-dir", dir.resolve("data").toString())));
        base = "http://127.0.0.1:" + server.address().getPort();
        assertThat(server.awaitReady(WAIT)).as("ready: store and bridge connected").isTrue();
        // The bridge's group fixes its start on the topic's partitions when first assigned: wait for that.
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            Awaitility.await().atMost(WAIT).until(() -> admin.listConsumerGroupOffsets("switchboard-kafka-news")
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS).size() == 2);
        }
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    @AfterAll
    static void stop() {
        if (producer != null) {
            producer.close();
        }
        if (server != null) {
            server.stop();
        }
        if (broker != null) {
            broker.kill();
        }
    }

    @AfterEach
    void closeClients() {
        clients.forEach(DurableClient::close);
    }

    private DurableClient client() {
        DurableClient c = new DurableClient(base, "{}", true);
        clients.add(c);
        return c;
    }

    private static String joined(DurableClient c, String room) {
        String id = c.awaitConnect(0).path("id").asText();
        Http.Response r = Http.post(base, "/api/join", "{\"sockets\":[\"" + id + "\"],\"rooms\":[\"" + room + "\"]}");
        assertThat(r.status()).as(r.body().toString()).isBetween(200, 299);
        return id;
    }

    private static void news(String room, String json) throws Exception {
        producer.send(new ProducerRecord<>("news", room, json)).get(30, TimeUnit.SECONDS);
    }

    private static List<String> newsArgs(DurableClient c, int from) {
        return c.events(from, "news").stream().map(e -> e.path("args").get(0).toString()).toList();
    }

    @Test
    void newsRecordsReachTheRoomNamedByTheirKey() throws Exception {
        DurableClient lobby = client();
        DurableClient other = client();
        joined(lobby, "lobby");
        joined(other, "other");
        news("lobby", "{\"title\":\"hello\"}");
        news("other", "{\"title\":\"elsewhere\"}");
        Awaitility.await().atMost(WAIT).until(() -> newsArgs(lobby, 0).size() == 1 && newsArgs(other, 0).size() == 1);
        assertThat(newsArgs(lobby, 0)).containsExactly("{\"title\":\"hello\"}");
        assertThat(newsArgs(other, 0)).containsExactly("{\"title\":\"elsewhere\"}");
    }

    @Test
    void orderEventsGoToTheOrdersTopicAndAreAcknowledgedWithTheirOffsetAfterKafka() throws Exception {
        DurableClient c = client();
        String id = c.awaitConnect(0).path("id").asText();
        int mark = c.mark();
        c.command("{\"cmd\":\"emitack\",\"event\":\"order\",\"args\":[{\"id\":42,\"item\":\"tea\"}]}");
        JsonNode ack = c.await("ack", mark, l -> l.path("type").asText().equals("ack"));
        assertThat(ack.path("error").isNull()).as(ack.toString()).isTrue();
        JsonNode answer = ack.path("answer");
        assertThat(answer.path("ok").asBoolean()).as(answer.toString()).isTrue();
        int partition = answer.path("partition").asInt();
        long offset = answer.path("offset").asLong();

        ConsumerRecord<byte[], byte[]> r = recordAt("orders", partition, offset);
        assertThat(new String(r.value(), UTF_8)).isEqualTo("{\"id\":42,\"item\":\"tea\"}");
        assertThat(header(r, "sb-namespace")).isEqualTo("/");
        assertThat(header(r, "sb-socket-id")).isEqualTo(id);
        assertThat(header(r, "sb-user-id")).as("no authentication configured").isNull();
    }

    @Test
    void roomsNamedDStarAreDurableOnKafkaAndAClientRecoversTheNewsItMissed() throws Exception {
        DurableClient c = client();
        String id = joined(c, "d-1");
        news("d-1", "1");
        Awaitility.await().atMost(WAIT).until(() -> newsArgs(c, 0).size() == 1);
        int mark = c.mark();
        c.command("{\"cmd\":\"drop\"}");
        c.await("disconnect", mark, l -> l.path("type").asText().equals("disconnect"));
        news("d-1", "2");
        news("d-1", "3");
        // Stored (on Kafka) before the bridge commits: the history shows them once the group moved past them.
        Awaitility.await().atMost(WAIT).until(() -> Http.get(base, "/api/history?room=d-1").body().path("messages").size() == 3);

        int back = c.mark();
        c.command("{\"cmd\":\"connect\"}");
        JsonNode connect = c.awaitConnect(back);
        assertThat(connect.path("recovered").asBoolean()).as("socket.recovered").isTrue();
        assertThat(connect.path("id").asText()).isEqualTo(id);
        Awaitility.await().atMost(WAIT).until(() -> newsArgs(c, back).size() == 2);
        assertThat(newsArgs(c, back)).as("exactly the missed ones, in order").containsExactly("2", "3");

        List<String> stored = new ArrayList<>();
        Http.get(base, "/api/history?room=d-1").body().path("messages").forEach(m -> stored.add(m.path("args").get(0).toString()));
        assertThat(stored).containsExactly("1", "2", "3");
    }

    private ConsumerRecord<byte[], byte[]> recordAt(String topic, int partition, long offset) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, partition);
            c.assign(List.of(tp));
            c.seek(tp, offset);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (r.offset() == offset) {
                        return r;
                    }
                }
            }
        }
        throw new AssertionError("no record at " + topic + "-" + partition + "@" + offset);
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), UTF_8);
    }
}
