package dev.switchboard.core.routing;

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

    /** Subscribers a publication would reach on this node, without delivering; a snapshot. */
    Set<Subscriber> resolve(Publication publication);

    /**
     * Delivers to the local subscribers (and, unless {@code local}, to other nodes through the
     * backplane). Returns once the publication is handed to the event loops; the stage completes with
     * the number of local subscribers it was handed to.
     */
    CompletionStage<Integer> publish(Publication publication);
}
