package dev.switchboard.rabbitmq.bridge;

import dev.switchboard.core.message.Message;
import dev.switchboard.core.routing.TopicFilter;

/**
 * Where a message leaving through the bridge is published: the first route whose namespace, event and room
 * filter match it.
 *
 * @param namespace    matches the message's namespace
 * @param event        matches its event; null: any
 * @param room         an MQTT-style filter one of its rooms must match; null: any (a client event has none)
 * @param exchange     published to (declared durable if absent)
 * @param exchangeType its type when declared here
 * @param routingKey   a template: {@code {event}} and {@code {room}} (its first room) are replaced
 */
record OutboundRoute(String namespace, String event, TopicFilter room, String exchange, String exchangeType,
                     String routingKey) {

    boolean matches(Message m) {
        if (!namespace.equals(m.space()) || (event != null && !event.equals(m.event()))) {
            return false;
        }
        if (room == null) {
            return true;
        }
        for (String r : m.rooms()) {
            if (room.matches(r)) {
                return true;
            }
        }
        return false;
    }

    String routingKeyFor(Message m) {
        String key = routingKey;
        if (key.contains("{event}")) {
            key = key.replace("{event}", m.event());
        }
        if (key.contains("{room}")) {
            key = key.replace("{room}", m.rooms().isEmpty() ? "" : m.rooms().iterator().next());
        }
        return key;
    }
}
