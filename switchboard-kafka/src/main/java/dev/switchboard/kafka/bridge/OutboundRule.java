package dev.switchboard.kafka.bridge;

import java.util.Objects;

/**
 * One outbound mapping: events named {@link #event} in {@link #namespace} (client events routed to the
 * bridge, or fabric messages of its room rules) are produced to {@link #topic}.
 *
 * @param key   how the record key is made
 * @param value {@code first}: the first argument (its JSON text, or its bytes when binary); {@code array}:
 *              the whole argument list as a JSON array (binary arguments as Socket.IO placeholders)
 */
record OutboundRule(String namespace, String event, String topic, Key key, Value value) {

    OutboundRule {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
    }

    enum Value { FIRST, ARRAY }

    /**
     * The record key: {@code none}; {@code user-id} (the sender's user id: a client that did not
     * authenticate is answered an error); {@code room} (the message's room, for messages of room rules);
     * {@code arg:<field>} (that field of the first argument, an object; its text, or its JSON when not a string).
     */
    record Key(Kind kind, String field) {

        enum Kind { NONE, USER_ID, ROOM, ARG }

        static Key parse(String text) {
            return switch (text) {
                case "none" -> new Key(Kind.NONE, null);
                case "user-id" -> new Key(Kind.USER_ID, null);
                case "room" -> new Key(Kind.ROOM, null);
                default -> {
                    if (text.startsWith("arg:") && text.length() > 4) {
                        yield new Key(Kind.ARG, text.substring(4));
                    }
                    throw new IllegalArgumentException("expected none, user-id, room or arg:<field>, was '" + text + "'");
                }
            };
        }
    }
}
