package dev.switchboard.kafka.bridge;

import java.util.Objects;

/**
 * One inbound mapping: records of {@link #topic} become events in a room of {@link #namespace}.
 *
 * @param topic                 the topic consumed
 * @param namespace             the Socket.IO namespace the events go to
 * @param room                  where the room name comes from
 * @param event                 where the event name comes from
 * @param value                 how the record value becomes the event's argument
 * @param group                 the consumer group (one per rule, so each rule has its own offsets)
 * @param deadLetterTopic       where unmappable records go, with the reason in a header; null: dropped, counted
 * @param maxRecordBytes        a larger value is dead-lettered (reason {@code oversized})
 * @param maxQueuedPerPartition records taken from a partition and not yet published, at most; reaching it
 *                              pauses the partition, half of it resumes it
 * @param dedupWindow           message ids remembered to suppress a redelivered record, per rule
 */
record InboundRule(String topic, String namespace, Source room, Source event, ValueFormat value, String group,
                   String deadLetterTopic, int maxRecordBytes, int maxQueuedPerPartition, int dedupWindow) {

    InboundRule {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(room, "room");
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(group, "group");
    }

    /** Where a name (room or event) comes from: the record key, a record header, or fixed text. */
    record Source(Kind kind, String name) {

        enum Kind { KEY, HEADER, FIXED }

        static Source key() {
            return new Source(Kind.KEY, null);
        }

        /**
         * {@code key}, {@code header:<name>}, {@code fixed:<name>}, or (when {@code bareIsFixed}) a bare name
         * taken as fixed.
         */
        static Source parse(String text, boolean keyAllowed, boolean bareIsFixed) {
            if (text.equals("key")) {
                if (!keyAllowed) {
                    throw new IllegalArgumentException("'key' is not allowed here");
                }
                return key();
            }
            if (text.startsWith("header:") && text.length() > "header:".length()) {
                return new Source(Kind.HEADER, text.substring("header:".length()));
            }
            if (text.startsWith("fixed:") && text.length() > "fixed:".length()) {
                return new Source(Kind.FIXED, text.substring("fixed:".length()));
            }
            if (bareIsFixed && !text.isEmpty() && !text.contains(":")) {
                return new Source(Kind.FIXED, text);
            }
            throw new IllegalArgumentException("expected " + (keyAllowed ? "key, " : "") + "header:<name> or fixed:<name>"
                    + (bareIsFixed ? " or a name" : "") + ", was '" + text + "'");
        }

        @Override
        public String toString() {
            return kind == Kind.KEY ? "key" : kind.name().toLowerCase(java.util.Locale.ROOT) + ":" + name;
        }
    }

    /** {@code json}: the value is one JSON value, the event's only argument; {@code binary}: one binary attachment. */
    enum ValueFormat { JSON, BINARY }
}
