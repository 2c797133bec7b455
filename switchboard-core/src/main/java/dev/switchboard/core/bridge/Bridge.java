package dev.switchboard.core.bridge;

import dev.switchboard.core.message.Message;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * The external side of a bridge: what a Kafka, RabbitMQ or MQTT connector implements. The node runs it
 * under its supervision tree ({@link Bridges#start}); the runtime around it owns the bounds, the rules,
 * the metrics and the Socket.IO acknowledgements, so an implementation only moves records.
 *
 * <h2>Life</h2>
 * {@link #start} connects and starts consuming; {@link #stop} disconnects. Both run on the component's
 * actor (Pekko's blocking-I/O dispatcher), one at a time, so connecting there may block. A failure later,
 * on the connector's own threads (a lost connection), is reported with {@link BridgeContext#fail}: the
 * supervisor calls {@code stop()}, waits its backoff and calls {@code start} again with a new context.
 * Everything tied to one incarnation (consumers, channels, the {@link Inbound}) comes from its context
 * and ends with {@code stop()}.
 *
 * <h2>Inbound: records from outside into the fabric</h2>
 * For each record, build a {@link Message} (space, rooms, event, arguments; the runtime sets its origin)
 * and call {@link Inbound#publish}. Acknowledge the record to the source <b>only when that stage completes
 * normally</b>: then the fabric has accepted it (handed it to every local subscriber and, unless local,
 * to the backplane) and, for a room that the node stores, it is stored ({@link Inbound.Accepted#position}).
 * <ul>
 *   <li>Kafka: commit offset {@code o + 1} of a partition once every record up to {@code o} of that
 *       partition completed (stages may complete out of order when storage is involved: commit the
 *       lowest contiguous completed offset, never the highest seen).</li>
 *   <li>RabbitMQ: {@code basicAck(deliveryTag, false)} when the stage completes;
 *       {@code basicNack(deliveryTag, false, true)} (requeue) when it fails.</li>
 *   <li>MQTT (QoS 1): PUBACK when the stage completes; for QoS 2, PUBREC then.</li>
 * </ul>
 * A stage that fails means the message was <b>not</b> accepted: do not acknowledge; redeliver it later
 * (seek back, nack with requeue, or let the broker redeliver). It fails at once with
 * {@link InboundFullException} when the bridge already has {@code inbound max-in-flight} messages in
 * flight; with {@link BridgeStoppedException} when this incarnation has stopped; otherwise with the
 * storage or routing error.
 *
 * <h2>Back-pressure</h2>
 * When the in-flight count reaches the bound, {@link #pauseInbound()} is called (before the
 * {@code publish} call that filled the window returns); when it falls to half the bound,
 * {@link #resumeInbound()}. Pause the source then (Kafka {@code consumer.pause(assignment)}, RabbitMQ: stop
 * taking deliveries or rely on {@code basicQos(prefetch)} no larger than the bound, MQTT: stop reading the
 * socket). A source that cannot pause keeps getting {@link InboundFullException} and must redeliver.
 *
 * <h2>Outbound: fabric messages to outside</h2>
 * {@link #send} is called for each fabric message that matches one of the bridge's outbound rules (a
 * namespace and room filter) and for each Socket.IO client event routed to the bridge by configuration
 * (a namespace and event). Return a stage that completes when the external system <b>confirmed</b> the
 * record (Kafka: the producer's send callback with {@code acks=all}; RabbitMQ: the publisher confirm;
 * MQTT: PUBACK/PUBCOMP); complete it exceptionally when the system refused it. A client that asked for an
 * acknowledgement gets it only after that stage completed normally, and an error acknowledgement when it
 * failed or did not complete within the outbound timeout.
 *
 * <h2>Threading and order</h2>
 * {@code send} is called on the bridge's own outbound thread, one call at a time, in the order the fabric
 * delivered the messages (per publisher and room, as every subscriber sees them); it must not block
 * (hand the record to an asynchronous producer and return its stage). Records handed over in call order
 * keep that order in the external system as far as the system keeps it (Kafka per partition, AMQP per
 * channel and queue). Completions may come in any order, on any thread. At most
 * {@code outbound max-in-flight} sends are uncompleted at once; a message arriving beyond that is not
 * sent, counted as failed ({@code reason=full}) and, for a client event, answered with an error
 * acknowledgement. Messages that this bridge itself published inbound are never sent back out to it.
 *
 * <h2>Failures</h2>
 * Throwing from {@code send} (as opposed to returning a failed stage) or from {@code start} counts as a
 * failure of the bridge: the runtime fails that message and reports the failure to the supervisor, which
 * restarts the bridge with backoff; the other bridges and the rest of the node keep working.
 *
 * <h2>Guarantees</h2>
 * Inbound: at least once from the source into the fabric when the source acknowledges as above (a crash
 * between acceptance and the source's ack redelivers; messages carry their {@link Message#id()} for
 * de-duplication). Outbound: at most once per rule match; a client event whose acknowledgement reported
 * success was confirmed by the external system.
 */
public interface Bridge {

    /**
     * Connects to the external system and starts consuming into {@code context.inbound()}. Throwing
     * counts as a failure (restart with backoff).
     */
    void start(BridgeContext context) throws Exception;

    /**
     * Sends one message out. Called on the bridge's outbound thread; must not block.
     *
     * @param message the fabric message (its {@link Message#space()}, {@link Message#event()},
     *                {@link Message#arguments()} and attachments; a client event carries the header
     *                {@value Bridges#SOCKET_HEADER} with the sender's socket id)
     * @return completes when the external system confirmed the record; exceptionally if it refused it
     */
    CompletionStage<Void> send(Message message);

    /**
     * {@link #send}, completing with what the external system said about the record (Kafka: its
     * {@code partition} and {@code offset}); a routed client event's acknowledgement carries these fields
     * next to {@code ok}. The runtime calls this one; the default reports nothing.
     */
    default CompletionStage<Map<String, Object>> sendWithReceipt(Message message) {
        return send(message).thenApply(v -> Map.of());
    }

    /**
     * The inbound window is full: pause the source. Called with the window's lock held, on the thread that
     * called {@link Inbound#publish} or completed a stage: only set a flag or schedule the pause on the
     * consumer's own thread; never call {@link Inbound} from here.
     */
    default void pauseInbound() {}

    /** The inbound window has room again (half the bound): resume the source. Same rules as {@link #pauseInbound}. */
    default void resumeInbound() {}

    /** Releases what {@link #start} acquired; must tolerate a partial start. */
    void stop() throws Exception;
}
