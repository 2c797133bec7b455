package dev.switchboard.core.routing;

import dev.switchboard.core.message.Message;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * The routing fabric of one node: who is subscribed to what, and delivery of publications.
 *
 * <p>Atomicity seen by a publisher: a publication reaches exactly the subscribers that were
 * subscribed when it was resolved; a subscriber that completed {@link #unsubscribe} or
 * {@link #unsubscribeAll} before {@link #publish} was called never receives it. Order is kept per
 * publishing thread and space.
 */
public interface Router {

    /** Adds the subscriber to the space (it receives whole-space publications) and to the room. */
    void subscribe(String space, String room, Subscriber subscriber);

    /** Adds the subscriber to the space only (no room). Idempotent. */
    void attach(String space, Subscriber subscriber);

    void unsubscribe(String space, String room, Subscriber subscriber);

    /**
     * Adds the subscriber to the space (as {@link #attach}) and subscribes it to every room of the
     * space whose name matches {@code filter}, an MQTT topic filter over {@code /}-separated names
     * ({@link TopicFilter}: {@code +} one level, {@code #} the rest, including the parent level).
     * A publication reaches a subscriber at most once however many of its filters and rooms match;
     * a publication's {@code except} rooms exclude their members whatever matched them. Idempotent.
     *
     * @throws IllegalArgumentException if {@code filter} is not a valid topic filter (the message says why)
     */
    void subscribePattern(String space, String filter, Subscriber subscriber);

    /**
     * Removes one pattern subscription; the subscriber stays in the space and its other rooms and
     * patterns.
     *
     * @throws IllegalArgumentException if {@code filter} is not a valid topic filter
     */
    void unsubscribePattern(String space, String filter, Subscriber subscriber);

    /** Removes the subscriber from every room and pattern of the space and from the space itself. */
    void detach(String space, Subscriber subscriber);

    /** The rooms the subscriber is in within the space; a snapshot. */
    Set<String> roomsOf(String space, Subscriber subscriber);

    /** The topic filters the subscriber is subscribed to within the space; a snapshot. */
    Set<String> patternsOf(String space, Subscriber subscriber);

    /** The rooms of the space with at least one subscriber; a snapshot. */
    Set<String> rooms(String space);

    /**
     * Registers how {@code format} is rendered. Each protocol registers its formats once (registering
     * the same renderer again is a no-op). A subscriber whose format has no renderer is skipped and
     * counted ({@link RoutingMetrics#unrenderable}), never failing the publication for the others.
     *
     * @throws IllegalStateException if another renderer is registered for {@code format}
     */
    void register(WireFormat format, MessageRenderer renderer);

    /** Subscribers a message would reach on this node, without delivering; a snapshot. */
    Set<Subscriber> resolve(Message message);

    /**
     * Delivers to the local subscribers (and, unless {@link Message#local()}, to other nodes through the
     * backplane), rendered lazily: once per wire format its local subscribers use. Returns once the
     * message is handed to the event loops; the stage completes with the number of local subscribers it
     * was handed to (unrenderable ones not included).
     */
    CompletionStage<Integer> publish(Message message);

    /**
     * Publishes a message that asks each recipient for an acknowledgement (socket.io's broadcast with
     * acks): the router gives it an {@link Message#ackId()} of this node's, hands each local recipient an
     * {@link AckSink} with it, and, unless {@link Message#local()}, asks every other node to do the same
     * and to report its count and answers. Completes when every recipient of every node answered, or
     * when {@code timeout} passed ({@link AckResult#complete()} false, with the answers that came);
     * never later, whatever a node does.
     */
    CompletionStage<AckResult> publishWithAck(Message message, java.time.Duration timeout);

    /**
     * Asks every other node ({@link RequestType}); this node's own part is the caller's to do. With a
     * {@code timeout} (only for a type that {@link RequestType#mayReply()}), completes when every node
     * asked has replied or left, or when the timeout passed ({@link RequestResult#complete()} false,
     * with the replies that came); without one, completes once sent. On a node without peers, at once
     * with no replies.
     */
    CompletionStage<RequestResult> request(RequestType type, Message request, java.time.Duration timeout);

    /** Registers the handler of requests from other nodes about {@code space} (replaces any earlier one). */
    void handle(String space, RequestHandler handler);

    /** The id of this node in its cluster (the origin its messages carry). */
    String nodeId();
}
