package dev.switchboard.rabbitmq;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.switchboard.core.node.ComponentContext;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The machine's RabbitMQ (127.0.0.1:5672, guest/guest; {@code SWITCHBOARD_TEST_AMQP_URI} overrides) as the
 * tests use it: a plain amqp-client connection for the test's own publishing and consuming, names with a
 * random suffix (the broker is shared), and deletion of whatever a test created.
 */
public final class TestBroker implements AutoCloseable {

    public static final String URI = System.getenv().getOrDefault("SWITCHBOARD_TEST_AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/");

    private final Connection connection;
    private final List<String> queues = new CopyOnWriteArrayList<>();
    private final List<String> exchanges = new CopyOnWriteArrayList<>();

    public TestBroker() throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setUri(URI);
        if (URI.endsWith(":5672/")) {
            f.setVirtualHost("/");
        }
        f.setAutomaticRecoveryEnabled(false);
        connection = f.newConnection("switchboard-test");
    }

    /** {@code base} plus a random suffix; the queue or exchange of that name is deleted on close. */
    public String queue(String base) {
        String name = base + "-" + UUID.randomUUID().toString().substring(0, 8);
        queues.add(name);
        return name;
    }

    public String exchange(String base) {
        String name = base + "-" + UUID.randomUUID().toString().substring(0, 8);
        exchanges.add(name);
        return name;
    }

    /** Deletes {@code name} on close (a queue made by the code under test). */
    public void deleteQueueOnClose(String name) {
        queues.add(name);
    }

    public void deleteExchangeOnClose(String name) {
        exchanges.add(name);
    }

    public Channel channel() throws IOException {
        return connection.createChannel();
    }

    public Connection connection() {
        return connection;
    }

    @Override
    public void close() throws Exception {
        try (Channel ch = connection.createChannel()) {
            for (String q : new ArrayList<>(queues)) {
                ch.queueDelete(q);
            }
            for (String e : new ArrayList<>(exchanges)) {
                ch.exchangeDelete(e);
            }
        } finally {
            connection.close();
        }
    }

    /** A supervisor stand-in for a component run outside a node: counts the failures reported. */
    public static final class Context implements ComponentContext {
        public final List<Throwable> failures = new CopyOnWriteArrayList<>();

        @Override
        public String name() {
            return RabbitConnector.NAME;
        }

        @Override
        public int incarnation() {
            return 1;
        }

        @Override
        public void fail(Throwable cause) {
            failures.add(cause);
        }
    }
}
