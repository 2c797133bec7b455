package dev.switchboard.bench.store;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.MessageProperties;
import java.io.IOException;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The machine's RabbitMQ (127.0.0.1:5672, guest/guest) with a quorum queue — RabbitMQ's replicated,
 * fsync-before-confirm queue type, the one with a delivery limit and dead-lettering, i.e. the peer of
 * our inboxes — driven by the official AMQP client with publisher confirms. Each run declares its own
 * queue and deletes it afterwards.
 */
final class RabbitPeer implements AutoCloseable {

    private final Connection connection;
    private final Channel publish;
    private final String queue = "switchboard-store-bench-" + UUID.randomUUID();
    private final ConcurrentSkipListMap<Long, CompletableFuture<Void>> unconfirmed = new ConcurrentSkipListMap<>();

    RabbitPeer() throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost("127.0.0.1");
        f.setPort(5672);
        f.setUsername("guest");
        f.setPassword("guest");
        connection = f.newConnection("switchboard-store-bench");
        publish = connection.createChannel();
        publish.queueDeclare(queue, true, false, false, Map.of("x-queue-type", "quorum"));
        publish.confirmSelect();
        publish.addConfirmListener((seq, multiple) -> settle(seq, multiple, null),
                (seq, multiple) -> settle(seq, multiple, new IOException("nack " + seq)));
    }

    String version() {
        Object v = connection.getServerProperties().get("version");
        return v == null ? "?" : v.toString();
    }

    private void settle(long seq, boolean multiple, Throwable error) {
        ConcurrentNavigableMap<Long, CompletableFuture<Void>> done = multiple ? unconfirmed.headMap(seq, true) : unconfirmed.subMap(seq, true, seq, true);
        done.forEach((k, f) -> {
            if (error == null) {
                f.complete(null);
            } else {
                f.completeExceptionally(error);
            }
        });
        done.clear();
    }

    /** Publishes one persistent message; the stage completes on the broker's confirm. Call from one thread. */
    CompletionStage<Void> publish(byte[] body) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        try {
            long seq = publish.getNextPublishSeqNo();
            unconfirmed.put(seq, f);
            publish.basicPublish("", queue, MessageProperties.PERSISTENT_BASIC, body);
        } catch (IOException e) {
            f.completeExceptionally(e);
        }
        return f;
    }

    /** Starts a consumer with manual acks and the given prefetch; returns the count of acked messages. */
    AtomicLong consume(int prefetch) throws IOException {
        AtomicLong acked = new AtomicLong();
        Channel ch = connection.createChannel();
        ch.basicQos(prefetch);
        ch.basicConsume(queue, false, new DefaultConsumer(ch) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) throws IOException {
                ch.basicAck(envelope.getDeliveryTag(), false);
                acked.incrementAndGet();
            }
        });
        return acked;
    }

    @Override
    public void close() throws Exception {
        try (Channel ch = connection.createChannel()) {
            ch.queueDelete(queue);
        } finally {
            connection.close();
        }
    }
}
