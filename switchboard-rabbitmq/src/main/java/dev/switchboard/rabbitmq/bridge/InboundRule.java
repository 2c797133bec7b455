package dev.switchboard.rabbitmq.bridge;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One inbound rule: a queue bound to an exchange, and how each of its messages becomes a fabric message.
 *
 * @param exchange     the exchange consumed from ({@code ""}: none, the queue is fed directly)
 * @param exchangeType its type when declared here ({@code topic}, {@code direct}, {@code fanout}, {@code headers})
 * @param queue        the queue consumed; declared durable if absent, bound with {@code bindingKeys}
 * @param queueType    {@code quorum} (default) or {@code classic}
 * @param bindingKeys  binding keys of the queue to the exchange
 * @param namespace    the namespace the messages go to
 * @param room         where the room comes from
 * @param event        where the event comes from
 * @param body         how the body becomes the event's argument
 * @param prefetch     unacknowledged deliveries the broker hands this rule's consumer at most
 */
record InboundRule(String exchange, String exchangeType, String queue, String queueType, List<String> bindingKeys,
                   String namespace, Source room, Source event, Body body, int prefetch) {

    InboundRule {
        Objects.requireNonNull(exchange, "exchange");
        bindingKeys = List.copyOf(bindingKeys);
    }

    /** A value taken from the message: its routing key, a header, or fixed. {@code null} room: the whole namespace. */
    record Source(Kind kind, String name) {
        enum Kind { ROUTING_KEY, HEADER, FIXED, NONE }

        /** {@code routing-key}, {@code header:<name>}, {@code fixed:<value>} or {@code none} (room only). */
        static Source parse(String text, boolean allowRoutingKey, boolean allowNone, String key) {
            if (allowRoutingKey && text.equals("routing-key")) {
                return new Source(Kind.ROUTING_KEY, null);
            }
            if (allowNone && text.equals("none")) {
                return new Source(Kind.NONE, null);
            }
            if (text.startsWith("header:") && text.length() > "header:".length()) {
                return new Source(Kind.HEADER, text.substring("header:".length()));
            }
            if (text.startsWith("fixed:") && text.length() > "fixed:".length()) {
                return new Source(Kind.FIXED, text.substring("fixed:".length()));
            }
            throw new IllegalArgumentException(key + ": expected " + (allowRoutingKey ? "routing-key, " : "")
                    + (allowNone ? "none, " : "") + "header:<name> or fixed:<value>, found \"" + text + "\"");
        }

        @Override
        public String toString() {
            return switch (kind) {
                case ROUTING_KEY -> "routing-key";
                case NONE -> "none";
                case HEADER -> "header:" + name;
                case FIXED -> "fixed:" + name;
            };
        }
    }

    /** JSON: the body is one JSON value, the event's one argument. BINARY: the body is a binary argument. */
    enum Body {
        JSON, BINARY;

        static Body parse(String text, String key) {
            return switch (text.toLowerCase(Locale.ROOT)) {
                case "json" -> JSON;
                case "binary" -> BINARY;
                default -> throw new IllegalArgumentException(key + ": expected json or binary, found \"" + text + "\"");
            };
        }
    }
}
