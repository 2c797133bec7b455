package dev.switchboard.rabbitmq.bridge;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import dev.switchboard.core.bridge.Bridge;
import dev.switchboard.core.bridge.BridgeContext;
import dev.switchboard.core.bridge.BridgeStoppedException;
import dev.switchboard.core.bridge.Bridges;
import dev.switchboard.core.message.Message;
import dev.switchboard.rabbitmq.ConfirmingPublisher;
import dev.switchboard.rabbitmq.RabbitConnector;
import dev.switchboard.rabbitmq.RabbitUnavailableException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bridge between RabbitMQ exchanges and the fabric, on the node's one connection
 * ({@link RabbitConnector}): two channels per bridge, one for consuming (its inbound rules' consumers),
 * one for publishing in confirm mode (outbound messages and dead letters).
 *
 * <h2>Inbound</h2>
 * Each rule's queue (durable; quorum unless configured classic; created if absent, dead-lettering to the
 * bridge's dead-letter exchange) is bound to its exchange with its binding keys and consumed with manual
 * acks and a prefetch of at most the rule's {@code prefetch}, and together no more than the bridge's
 * inbound window (so the window never overflows and the broker holds the rest). A delivery is
 * <ol>
 *   <li>acked without publishing when its message id was accepted within the de-duplication window
 *       (a redelivery after a lost ack);</li>
 *   <li>published to the dead-letter exchange with header {@value #REASON_HEADER}, then acked once that
 *       publish is confirmed, when it cannot be mapped (rejected without requeue if that publish fails, so
 *       the queue's own dead-lettering keeps it);</li>
 *   <li>otherwise published into the fabric and acked when the fabric accepted it (after storage where the
 *       room is stored), or nacked with requeue when the fabric refused it.</li>
 * </ol>
 *
 * <h2>Outbound</h2>
 * A message matching an outbound route is published persistent and mandatory to the route's exchange and
 * routing key; its stage completes on the broker's confirm, and fails on a return (unroutable), a nack, or
 * the channel closing first. Body: the message's one argument (JSON, or the bytes of a binary one); with
 * several arguments, the whole JSON array. Properties: message id = the fabric message id, content type,
 * headers {@code switchboard-event}, {@code switchboard-namespace}, {@value Bridges#SOCKET_HEADER} when the
 * message is a client event.
 *
 * <h2>Failures</h2>
 * While the connection is away, the consumers are gone (the broker keeps the messages, requeueing the
 * unacked ones) and sends fail at once ({@link BridgeStoppedException}); amqp-client's recovery brings
 * channels and consumers back. A channel closed by the broker for a reason of its own (a deleted queue
 * cancels its consumer, a publish to a deleted exchange closes the channel) fails this incarnation, and
 * the supervisor restarts the bridge, which declares its topology again.
 *
 * <p>Threading: {@code start}/{@code stop} on the bridge component's actor; deliveries on amqp-client's
 * consumer threads (in order per channel); {@code send} on the bridge's outbound thread; confirms on the
 * connection's thread.
 */
final class RabbitBridge implements Bridge, RabbitConnector.Attachment {

    static final String REASON_HEADER = "x-switchboard-reason";
    private static final Logger log = LoggerFactory.getLogger(RabbitBridge.class);

    private final String name;
    private final BridgeOptions options;
    private final RabbitConnector connector;
    private final RabbitBridgeMetrics metrics;
    private final InboundMapping mapping;
    private final IdWindow accepted;

    private volatile BridgeContext context;
    private volatile Channel consuming;
    private volatile ConfirmingPublisher publisher;
    private volatile boolean stopped;
    /** True while {@link #start} attaches: a failure then is thrown to the supervisor, later it is reported. */
    private volatile boolean starting;

    RabbitBridge(String name, BridgeOptions options, RabbitConnector connector, RabbitBridgeMetrics metrics) {
        this.name = name;
        this.options = options;
        this.connector = connector;
        this.metrics = metrics;
        this.mapping = new InboundMapping(options.maxBody());
        this.accepted = new IdWindow(options.dedupWindow(), options.dedupMaxIds());
    }

    @Override
    public void start(BridgeContext context) throws IOException {
        this.context = context;
        this.stopped = false;
        starting = true;
        try {
            connector.attach(this);
        } finally {
            starting = false;
        }
    }

    /** Opens the channels: now if the connection is open, else when it first opens. */
    @Override
    public void attach(Connection connection) throws IOException {
        BridgeContext ctx = context;
        if (ctx == null || stopped) {
            return;
        }
        Channel out = null;
        Channel in = null;
        try {
            out = connection.createChannel();
            ConfirmingPublisher p = new ConfirmingPublisher(out, name + "-");
            Set<String> declared = new HashSet<>();
            for (OutboundRoute r : options.outbound()) {
                if (declared.add(r.exchange())) {
                    out.exchangeDeclare(r.exchange(), r.exchangeType(), true);
                }
            }
            in = connection.createChannel();
            in.exchangeDeclare(options.deadLetters(), BuiltinExchangeType.FANOUT, true);
            in.queueDeclare(options.deadLetters(), true, false, false, Map.of("x-queue-type", "quorum"));
            in.queueBind(options.deadLetters(), options.deadLetters(), "");
            int rules = options.inbound().size();
            int share = rules == 0 ? 1 : Math.max(1, ctx.inbound().capacity() / rules);
            for (InboundRule rule : options.inbound()) {
                if (!rule.exchange().isEmpty()) {
                    in.exchangeDeclare(rule.exchange(), rule.exchangeType(), true);
                }
                Map<String, Object> args = new HashMap<>();
                args.put("x-dead-letter-exchange", options.deadLetters());
                if (rule.queueType().equals("quorum")) {
                    args.put("x-queue-type", "quorum");
                }
                in.queueDeclare(rule.queue(), true, false, false, args);
                if (!rule.exchange().isEmpty()) {
                    for (String key : rule.bindingKeys()) {
                        in.queueBind(rule.queue(), rule.exchange(), key);
                    }
                }
                // Per consumer (quorum queues have no channel-wide prefetch): the rules' shares add up to at
                // most the inbound window.
                in.basicQos(Math.min(rule.prefetch(), share), false);
                in.basicConsume(rule.queue(), false, name + "/" + rule.queue(), new RuleConsumer(in, rule, ctx));
            }
            Channel inbound = in;
            Channel outbound = out;
            in.addShutdownListener(cause -> closedByBroker(ctx, "consuming", cause, inbound));
            out.addShutdownListener(cause -> closedByBroker(ctx, "publishing", cause, outbound));
            consuming = in;
            publisher = p;
            log.info("bridge {}: consuming {} queue(s), publishing to {} exchange(s) on {}", name, rules, declared.size(),
                    connector.config().safeUri());
        } catch (IOException | RuntimeException e) {
            abort(in);
            abort(out);
            IOException failure = e instanceof IOException io ? io : new IOException(e.toString(), e);
            if (!starting) {
                // Attached by the connector when the connection first opened: nobody else would notice.
                ctx.fail(failure);
            }
            throw failure;
        }
    }

    /**
     * A channel closed while its connection stays open: the broker closed it for an error of this bridge's
     * (a deleted exchange, a queue declared with other arguments). Restart to declare everything again.
     */
    private void closedByBroker(BridgeContext ctx, String purpose, ShutdownSignalException cause, Channel channel) {
        if (stopped || cause.isInitiatedByApplication() || cause.isHardError()) {
            return; // ours, or the connection's loss (recovery brings the channel back)
        }
        String why = RabbitConnector.describe(cause);
        log.warn("bridge {}: {} channel {} closed by the broker ({}); restarting the bridge", name, purpose,
                channel.getChannelNumber(), why);
        ctx.fail(new IOException(purpose + " channel closed by the broker: " + why));
    }

    private final class RuleConsumer extends DefaultConsumer {
        private final InboundRule rule;
        private final BridgeContext ctx;

        RuleConsumer(Channel channel, InboundRule rule, BridgeContext ctx) {
            super(channel);
            this.rule = rule;
            this.ctx = ctx;
        }

        @Override
        public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
            onDelivery(getChannel(), rule, ctx, envelope, props, body);
        }

        @Override
        public void handleCancel(String consumerTag) {
            if (!stopped) {
                log.warn("bridge {}: the broker cancelled the consumer of queue {} (deleted?); restarting the bridge",
                        name, rule.queue());
                ctx.fail(new IOException("consumer of queue " + rule.queue() + " cancelled by the broker"));
            }
        }
    }

    /** On the channel's consumer thread. */
    private void onDelivery(Channel ch, InboundRule rule, BridgeContext ctx, Envelope envelope,
                            AMQP.BasicProperties props, byte[] body) {
        long tag = envelope.getDeliveryTag();
        String id = props.getMessageId();
        long now = System.currentTimeMillis();
        if (id != null && accepted.contains(id, now)) {
            metrics.duplicate(name);
            ack(ch, tag);
            return;
        }
        Message message;
        try {
            message = mapping.map(rule, envelope, props, body);
        } catch (InboundMapping.Unmappable e) {
            deadLetter(ch, rule, envelope, props, body, e);
            return;
        }
        ctx.inbound().publish(message).whenComplete((a, error) -> {
            if (error == null) {
                if (id != null) {
                    accepted.add(id, System.currentTimeMillis());
                }
                ack(ch, tag);
            } else {
                log.debug("bridge {}: message from {} not accepted ({}); requeued", name, rule.queue(), error.toString());
                nack(ch, tag);
            }
        });
    }

    private void deadLetter(Channel ch, InboundRule rule, Envelope envelope, AMQP.BasicProperties props, byte[] body,
                            InboundMapping.Unmappable why) {
        metrics.deadLettered(name, why.reason.tag);
        log.info("bridge {}: message from queue {} (routing key {}, id {}) dead-lettered: {}", name, rule.queue(),
                envelope.getRoutingKey(), props.getMessageId(), why.getMessage());
        Map<String, Object> headers = props.getHeaders() == null ? new HashMap<>() : new HashMap<>(props.getHeaders());
        headers.put(REASON_HEADER, why.getMessage());
        headers.put("x-switchboard-queue", rule.queue());
        headers.put("x-switchboard-exchange", envelope.getExchange());
        AMQP.BasicProperties dlProps = props.builder().headers(headers).deliveryMode(2).build();
        ConfirmingPublisher p = publisher;
        long tag = envelope.getDeliveryTag();
        if (p == null) {
            reject(ch, tag);
            return;
        }
        p.publish(options.deadLetters(), envelope.getRoutingKey(), dlProps, body).whenComplete((v, e) -> {
            if (e == null) {
                ack(ch, tag);
            } else {
                reject(ch, tag);
            }
        });
    }

    private void ack(Channel ch, long tag) {
        try {
            ch.basicAck(tag, false);
        } catch (IOException | AlreadyClosedException e) {
            // The channel went with its connection: the broker requeued the delivery and redelivers it.
            log.debug("bridge {}: ack of {} not sent ({}); the broker redelivers it", name, tag, e.toString());
        }
    }

    private void nack(Channel ch, long tag) {
        try {
            ch.basicNack(tag, false, true);
        } catch (IOException | AlreadyClosedException e) {
            log.debug("bridge {}: nack of {} not sent ({}); the broker redelivers it", name, tag, e.toString());
        }
    }

    private void reject(Channel ch, long tag) {
        try {
            ch.basicReject(tag, false);
        } catch (IOException | AlreadyClosedException e) {
            log.debug("bridge {}: reject of {} not sent ({})", name, tag, e.toString());
        }
    }

    // ---- outbound ----

    @Override
    public CompletionStage<Void> send(Message message) {
        ConfirmingPublisher p = publisher;
        if (p == null || !connector.isOpen()) {
            return CompletableFuture.failedFuture(new BridgeStoppedException(name));
        }
        String blocked = connector.blockedReason();
        if (blocked != null) {
            return CompletableFuture.failedFuture(new RabbitUnavailableException("broker blocks publishing: " + blocked));
        }
        OutboundRoute route = null;
        for (OutboundRoute r : options.outbound()) {
            if (r.matches(message)) {
                route = r;
                break;
            }
        }
        if (route == null) {
            metrics.unrouted(name);
            return CompletableFuture.failedFuture(new IOException("no outbound route of bridge " + name
                    + " matches event " + message.event() + " of " + message.space()));
        }
        Map<String, Object> headers = new HashMap<>();
        headers.put("switchboard-event", message.event());
        headers.put("switchboard-namespace", message.space());
        String socket = message.headers().get(Bridges.SOCKET_HEADER);
        if (socket != null) {
            headers.put(Bridges.SOCKET_HEADER, socket);
        }
        boolean binary = message.attachmentCount() == 1 && isSinglePlaceholder(message);
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                .deliveryMode(2)
                .messageId(message.id().toString())
                .contentType(binary ? "application/octet-stream" : "application/json")
                .timestamp(new java.util.Date())
                .headers(headers)
                .build();
        CompletableFuture<Void> confirmed = p.publish(route.exchange(), route.routingKeyFor(message), props,
                binary ? bytes(message.attachment(0)) : body(message));
        confirmed.whenComplete((v, e) -> {
            if (e instanceof ConfirmingPublisher.UnroutableException) {
                metrics.returned(name);
            }
        });
        return confirmed;
    }

    private static boolean isSinglePlaceholder(Message m) {
        return m.argumentsJson().replace(" ", "").equals("[{\"_placeholder\":true,\"num\":0}]");
    }

    /** The one argument's JSON, or the whole array when there are several (or none). */
    static byte[] body(Message m) {
        String json = m.argumentsJson();
        try {
            com.fasterxml.jackson.databind.JsonNode args = JsonHolder.JSON.readTree(json);
            if (args.isArray() && args.size() == 1) {
                return JsonHolder.JSON.writeValueAsBytes(args.get(0));
            }
        } catch (IOException e) {
            // Unreachable for a fabric message (its arguments are a JSON array); fall back to the array.
        }
        return json.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    private static final class JsonHolder {
        static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
    }

    // ---- stop ----

    @Override
    public void stop() {
        stopped = true;
        connector.detach(this);
        Channel in = consuming;
        ConfirmingPublisher p = publisher;
        consuming = null;
        publisher = null;
        abort(in);
        if (p != null) {
            abort(p.channel());
        }
    }

    private static void abort(Channel ch) {
        if (ch == null) {
            return;
        }
        try {
            ch.abort();
        } catch (IOException | RuntimeException e) {
            log.debug("channel {} abort: {}", ch.getChannelNumber(), e.toString());
        }
    }

    /** Pending outbound confirms, for tests and metrics. */
    int pendingConfirms() {
        ConfirmingPublisher p = publisher;
        return p == null ? 0 : p.pending();
    }

    List<String> queues() {
        List<String> q = new ArrayList<>();
        options.inbound().forEach(r -> q.add(r.queue()));
        return q;
    }

    @Override
    public String toString() {
        return "bridge " + name;
    }
}
