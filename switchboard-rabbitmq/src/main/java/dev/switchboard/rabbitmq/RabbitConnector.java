package dev.switchboard.rabbitmq;

import com.rabbitmq.client.BlockedListener;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import com.rabbitmq.client.ShutdownSignalException;
import com.rabbitmq.client.TopologyRecoveryException;
import com.rabbitmq.client.impl.DefaultExceptionHandler;
import com.rabbitmq.client.impl.recovery.TopologyRecoveryFilter;
import com.rabbitmq.client.impl.recovery.RecordedQueue;
import dev.switchboard.core.node.Component;
import dev.switchboard.core.node.ComponentContext;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's one RabbitMQ connection, as a supervised component ({@value #NAME} in {@code /health/ready}).
 * Everything that talks AMQP on this node (bridges, the inbox store) opens its own channels on it, one per
 * purpose, and never a connection of its own.
 *
 * <h2>Life of the connection</h2>
 * <ul>
 *   <li>{@link #start}: opens the connection, with amqp-client's automatic recovery and topology recovery on
 *       (channels, their QoS and confirm mode, consumers, and the queues, exchanges and bindings declared on
 *       them come back by themselves). An unreachable broker throws {@link RabbitUnavailableException}: the
 *       supervisor retries with backoff for as long as the node runs, and health shows it down meanwhile.</li>
 *   <li>Lost later (broker stopped, network): amqp-client recovers it every {@code recovery-interval}.
 *       So that health names it, the loss is reported to the supervisor; {@link #stop} leaves a recovering
 *       connection alone, and the next {@link #start} is UP once the connection is open again.</li>
 *   <li>{@link #close}: closes it for good (the server, after the node stopped).</li>
 * </ul>
 * Users of the connection register an {@link Attachment}: it is opened once the connection first exists
 * (at once if it already does) and then relies on recovery; a user that gets its channel closed for good
 * reports that itself.
 *
 * <p>Inbox queues are excluded from topology recovery ({@link #INBOX_QUEUE_PREFIX}): they are durable and
 * survive the broker, and re-declaring one per user on every recovery would take minutes at 100,000 users.
 *
 * <p>Threading: start and stop on the component's actor; everything else from any thread.
 */
public final class RabbitConnector implements Component, AutoCloseable {

    public static final String NAME = "rabbitmq";
    /** Queues with this prefix are not re-declared by topology recovery. */
    public static final String INBOX_QUEUE_PREFIX = "switchboard.inbox.";
    private static final Logger log = LoggerFactory.getLogger(RabbitConnector.class);

    /** Something that lives on the connection: opened once it exists. */
    public interface Attachment {
        /** Opens channels on {@code connection}; on the thread that opened the connection or attached. */
        void attach(Connection connection) throws IOException;
    }

    private final RabbitConfig config;
    private final ConnectionFactory factory;
    private final List<Attachment> attachments = new CopyOnWriteArrayList<>();
    private volatile Connection connection;
    private volatile ComponentContext context;
    private volatile String blocked;
    private volatile boolean closed;
    /** Only the first failure of a run of failures is explained at length; the supervisor logs each retry. */
    private boolean failing;

    public RabbitConnector(RabbitConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.factory = new ConnectionFactory();
        try {
            factory.setUri(config.uri());
            String path = config.uri().getRawPath();
            if (path == null || path.isEmpty() || path.equals("/")) {
                // amqp-client reads "amqp://host/" as the virtual host "" (the AMQP URI spec); everyone
                // writing it means the default virtual host "/".
                factory.setVirtualHost("/");
            }
        } catch (Exception e) {
            throw new IllegalArgumentException("rabbitmq uri: " + e.getMessage(), e);
        }
        factory.setAutomaticRecoveryEnabled(true);
        factory.setTopologyRecoveryEnabled(true);
        factory.setNetworkRecoveryInterval(config.recoveryInterval().toMillis());
        factory.setRequestedHeartbeat((int) config.heartbeat().toSeconds());
        factory.setConnectionTimeout((int) config.connectTimeout().toMillis());
        factory.setHandshakeTimeout((int) config.connectTimeout().toMillis());
        factory.setTopologyRecoveryFilter(new TopologyRecoveryFilter() {
            @Override
            public boolean filterQueue(RecordedQueue queue) {
                return !queue.getName().startsWith(INBOX_QUEUE_PREFIX);
            }
        });
        factory.setExceptionHandler(new QuietExceptionHandler());
    }

    public RabbitConfig config() {
        return config;
    }

    @Override
    public void start(ComponentContext context) throws IOException {
        this.context = context;
        Connection c = connection;
        if (c == null) {
            try {
                c = factory.newConnection(config.connectionName());
            } catch (IOException | TimeoutException e) {
                if (!failing) {
                    log.warn("rabbitmq: broker at {} unreachable ({}); bridges and RabbitMQ inboxes wait, retrying",
                            config.safeUri(), e.toString());
                }
                failing = true;
                throw new RabbitUnavailableException("broker at " + config.safeUri() + " unreachable: " + e.getMessage());
            }
            watch(c);
            connection = c;
            log.info("rabbitmq: connected to {} (broker {})", config.safeUri(), c.getServerProperties().get("version"));
            failing = false;
            for (Attachment a : attachments) {
                attachQuietly(a, c);
            }
        } else if (!c.isOpen()) {
            failing = true;
            throw new RabbitUnavailableException("connection to " + config.safeUri() + " is recovering");
        } else if (failing) {
            failing = false;
        }
    }

    private void watch(Connection c) {
        c.addShutdownListener(cause -> {
            if (!cause.isInitiatedByApplication() && !closed) {
                log.warn("rabbitmq: connection to {} lost ({}); recovering every {}", config.safeUri(),
                        describe(cause), config.recoveryInterval());
                ComponentContext ctx = context;
                if (ctx != null) {
                    ctx.fail(new RabbitUnavailableException("connection lost: " + describe(cause)));
                }
            }
        });
        ((Recoverable) c).addRecoveryListener(new RecoveryListener() {
            @Override
            public void handleRecovery(Recoverable recoverable) {
                log.info("rabbitmq: connection to {} recovered", config.safeUri());
            }

            @Override
            public void handleRecoveryStarted(Recoverable recoverable) {
                // The loss itself was logged by the shutdown listener.
            }
        });
        c.addBlockedListener(new BlockedListener() {
            @Override
            public void handleBlocked(String reason) {
                blocked = reason;
                log.warn("rabbitmq: broker blocks publishing ({}); publishes fail until it unblocks", reason);
            }

            @Override
            public void handleUnblocked() {
                blocked = null;
                log.info("rabbitmq: broker unblocked publishing");
            }
        });
    }

    /** The connection when open. */
    public Connection connection() throws RabbitUnavailableException {
        Connection c = connection;
        if (c == null || !c.isOpen()) {
            throw new RabbitUnavailableException(c == null ? "not connected to " + config.safeUri() + " yet"
                    : "connection to " + config.safeUri() + " is recovering");
        }
        return c;
    }

    /** Whether the connection is open now. */
    public boolean isOpen() {
        Connection c = connection;
        return c != null && c.isOpen();
    }

    /** The broker's reason while it blocks publishers (a memory or disk alarm), else null. */
    public String blockedReason() {
        return blocked;
    }

    /** Opens a channel; fails at once while the connection is not open. */
    public Channel openChannel() throws IOException {
        Channel ch = connection().createChannel();
        if (ch == null) {
            throw new IOException("no channel available (channel-max reached)");
        }
        return ch;
    }

    /** Registers {@code a}: attached now if the connection is open, else once it first opens. */
    public void attach(Attachment a) throws IOException {
        attachments.add(a);
        Connection c = connection;
        if (c != null && c.isOpen()) {
            a.attach(c);
        }
    }

    public void detach(Attachment a) {
        attachments.remove(a);
    }

    private void attachQuietly(Attachment a, Connection c) {
        try {
            a.attach(c);
        } catch (IOException | RuntimeException e) {
            log.warn("rabbitmq: {} could not open its channels: {}", a, e.toString());
        }
    }

    /** Leaves a recovering connection to its recovery: {@link #close} ends it. */
    @Override
    public void stop() {
        context = null;
    }

    @Override
    public void close() {
        closed = true;
        Connection c = connection;
        connection = null;
        if (c != null) {
            try {
                c.close(2000);
            } catch (IOException | RuntimeException e) {
                c.abort(1000);
            }
        }
    }

    /** The reply code and text of a shutdown, or its cause. */
    public static String describe(ShutdownSignalException cause) {
        Object reason = cause.getReason();
        if (reason instanceof com.rabbitmq.client.AMQP.Connection.Close close) {
            return close.getReplyCode() + " " + close.getReplyText();
        }
        if (reason instanceof com.rabbitmq.client.AMQP.Channel.Close close) {
            return close.getReplyCode() + " " + close.getReplyText();
        }
        return cause.getCause() != null ? cause.getCause().toString() : String.valueOf(cause.getMessage());
    }

    /**
     * amqp-client's default handler prints stack traces for conditions that are expected here (a broker
     * restart during recovery); one line each instead.
     */
    private static final class QuietExceptionHandler extends DefaultExceptionHandler {
        @Override
        public void handleConnectionRecoveryException(Connection conn, Throwable exception) {
            log.debug("rabbitmq: recovery attempt failed: {}", exception.toString());
        }

        @Override
        public void handleTopologyRecoveryException(Connection conn, Channel ch, TopologyRecoveryException exception) {
            log.warn("rabbitmq: topology recovery: {}", exception.getMessage());
        }

        @Override
        public void handleChannelRecoveryException(Channel ch, Throwable exception) {
            log.warn("rabbitmq: channel {} not recovered: {}", ch.getChannelNumber(), exception.toString());
        }
    }
}
