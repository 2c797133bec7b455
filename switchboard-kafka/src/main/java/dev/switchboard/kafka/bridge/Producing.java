package dev.switchboard.kafka.bridge;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.core.bridge.Bridges;
import dev.switchboard.core.message.Message;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Builds the record of an outbound message: the rule of its namespace and event, the key the rule asks
 * for, the value (first argument or whole array) and the origin headers {@code sb-namespace},
 * {@code sb-event}, {@code sb-message-id}, {@code sb-socket-id} and {@code sb-user-id} (the last two for
 * client events; the user id only when the client authenticated). Stateless apart from its rules;
 * thread-safe.
 */
final class Producing {

    private static final ObjectMapper JSON = new ObjectMapper();

    record Prepared(ProducerRecord<byte[], byte[]> record, BridgeMeters.Out meters) {}

    private record Rule(OutboundRule rule, BridgeMeters.Out meters) {}

    private final Map<String, Rule> rules = new HashMap<>();

    Producing(List<OutboundRule> outbound, BridgeMeters meters) {
        for (OutboundRule r : outbound) {
            rules.put(key(r.namespace(), r.event()), new Rule(r, meters.out(r)));
        }
    }

    private static String key(String namespace, String event) {
        return namespace + "\u0000" + event;
    }

    /** @throws IllegalArgumentException when no rule matches or the rule's key cannot be made (the message says which) */
    Prepared prepare(Message message) {
        Rule r = rules.get(key(message.space(), message.event()));
        if (r == null) {
            throw new IllegalArgumentException("no outbound rule for event " + message.event() + " of " + message.space());
        }
        OutboundRule rule = r.rule();
        JsonNode args = null;
        if (rule.value() == OutboundRule.Value.FIRST || rule.key().kind() == OutboundRule.Key.Kind.ARG) {
            args = parse(message);
        }
        byte[] value = value(rule, message, args);
        byte[] key = switch (rule.key().kind()) {
            case NONE -> null;
            case USER_ID -> {
                String user = message.headers().get(Bridges.USER_HEADER);
                if (user == null) {
                    throw new IllegalArgumentException("event " + message.event() + " needs an authenticated user (key user-id)");
                }
                yield utf8(user);
            }
            case ROOM -> {
                if (message.rooms().isEmpty()) {
                    throw new IllegalArgumentException("event " + message.event() + " has no room (key room)");
                }
                yield utf8(message.rooms().iterator().next());
            }
            case ARG -> {
                JsonNode field = args.path(0).path(rule.key().field());
                if (field.isMissingNode() || field.isNull()) {
                    throw new IllegalArgumentException("event " + message.event() + ": its first argument has no field "
                            + rule.key().field() + " (key arg:" + rule.key().field() + ")");
                }
                yield utf8(field.isTextual() ? field.asText() : field.toString());
            }
        };
        RecordHeaders headers = new RecordHeaders();
        headers.add("sb-namespace", utf8(message.space()));
        headers.add("sb-event", utf8(message.event()));
        headers.add(RecordMapper.MESSAGE_ID_HEADER, utf8(message.id().toString()));
        String socket = message.headers().get(Bridges.SOCKET_HEADER);
        if (socket != null) {
            headers.add("sb-socket-id", utf8(socket));
        }
        String user = message.headers().get(Bridges.USER_HEADER);
        if (user != null) {
            headers.add("sb-user-id", utf8(user));
        }
        return new Prepared(new ProducerRecord<>(rule.topic(), null, key, value, headers), r.meters());
    }

    private static JsonNode parse(Message message) {
        try {
            return JSON.readTree(message.argumentsJson());
        } catch (IOException e) {
            throw new IllegalArgumentException("event " + message.event() + ": arguments are not JSON");
        }
    }

    private static byte[] value(OutboundRule rule, Message message, JsonNode args) {
        if (rule.value() == OutboundRule.Value.ARRAY) {
            ByteBuffer b = message.arguments();
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        }
        JsonNode first = args.path(0);
        if (first.isMissingNode()) {
            return null;
        }
        if (first.path("_placeholder").asBoolean(false) && first.path("num").canConvertToInt()) {
            int num = first.path("num").asInt();
            if (num >= 0 && num < message.attachmentCount()) {
                ByteBuffer a = message.attachment(num);
                byte[] out = new byte[a.remaining()];
                a.get(out);
                return out;
            }
        }
        try {
            return JSON.writeValueAsBytes(first);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("event " + message.event() + ": first argument not writable as JSON");
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
