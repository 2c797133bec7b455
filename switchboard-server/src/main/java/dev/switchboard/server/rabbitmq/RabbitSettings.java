package dev.switchboard.server.rabbitmq;

import com.typesafe.config.Config;
import dev.switchboard.rabbitmq.RabbitConfig;
import dev.switchboard.rabbitmq.inbox.RabbitInboxConfig;
import dev.switchboard.server.config.ConfigProblem;
import java.time.Duration;
import java.util.Objects;

/**
 * {@code switchboard.rabbitmq} and {@code switchboard.inbox.store}, validated.
 *
 * @param connection        the node's connection
 * @param inboxesOnRabbit   {@code switchboard.inbox.store = rabbitmq}
 * @param inboxMaxLength    messages per inbox queue at most
 * @param inboxDeadLetters  the inboxes' dead-letter exchange (and queue)
 */
public record RabbitSettings(RabbitConfig connection, boolean inboxesOnRabbit, long inboxMaxLength, String inboxDeadLetters) {

    public RabbitSettings {
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(inboxDeadLetters, "inboxDeadLetters");
    }

    /** As the reference configuration: the local broker, inboxes embedded. */
    public static RabbitSettings defaults() {
        return new RabbitSettings(RabbitConfig.newBuilder("amqp://guest:guest@127.0.0.1:5672/").build(), false, 100_000,
                "switchboard.inbox.dead");
    }

    /** The inbox store's configuration, with the inboxes' {@code max-attempts}. */
    public RabbitInboxConfig inboxConfig(int maxAttempts) {
        return RabbitInboxConfig.newBuilder().maxAttempts(maxAttempts).maxLength(inboxMaxLength)
                .deadLetterExchange(inboxDeadLetters).build();
    }

    public static RabbitSettings read(Config c) throws ConfigProblem {
        String store = c.getString("switchboard.inbox.store");
        if (!store.equals("embedded") && !store.equals("rabbitmq")) {
            throw new ConfigProblem("switchboard.inbox.store: expected embedded or rabbitmq, found \"" + store + "\"");
        }
        RabbitConfig connection;
        try {
            connection = RabbitConfig.newBuilder(c.getString("switchboard.rabbitmq.uri"))
                    .connectionName(c.getString("switchboard.rabbitmq.connection-name"))
                    .heartbeat(duration(c, "heartbeat"))
                    .connectTimeout(duration(c, "connect-timeout"))
                    .recoveryInterval(duration(c, "recovery-interval"))
                    .build();
        } catch (IllegalArgumentException e) {
            throw new ConfigProblem("switchboard.rabbitmq: " + e.getMessage());
        } catch (com.typesafe.config.ConfigException e) {
            throw new ConfigProblem(e.getMessage().replace('\n', ' '));
        }
        long maxLength = c.getLong("switchboard.rabbitmq.inbox.max-length");
        if (maxLength < 1) {
            throw new ConfigProblem("switchboard.rabbitmq.inbox.max-length: must be positive, found " + maxLength);
        }
        String dlx = c.getString("switchboard.rabbitmq.inbox.dead-letter-exchange");
        if (dlx.isEmpty() || dlx.length() > 255) {
            throw new ConfigProblem("switchboard.rabbitmq.inbox.dead-letter-exchange: 1..255 characters");
        }
        return new RabbitSettings(connection, store.equals("rabbitmq"), maxLength, dlx);
    }

    private static Duration duration(Config c, String key) {
        return c.getDuration("switchboard.rabbitmq." + key);
    }
}
