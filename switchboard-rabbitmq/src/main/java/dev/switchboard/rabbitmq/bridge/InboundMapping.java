package dev.switchboard.rabbitmq.bridge;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Envelope;
import dev.switchboard.core.message.Message;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns one AMQP message into a fabric message by its {@link InboundRule}, or says why it cannot
 * ({@link Unmappable}, whose reason goes with the message to the dead-letter exchange). Stateless and
 * thread-safe.
 *
 * <p>The fabric message: the rule's namespace; one room (or none, the whole namespace); the event; one
 * argument, the body (a JSON value, or a binary attachment); headers {@code amqp-exchange},
 * {@code amqp-routing-key} and {@code amqp-message-id} (when it has one).
 */
final class InboundMapping {

    /** Low-cardinality reasons, the tag of the dead-letter counter. */
    enum Reason {
        NO_ROOM("no-room"), NO_EVENT("no-event"), NOT_JSON("not-json"), TOO_LARGE("too-large"), INVALID("invalid");

        final String tag;

        Reason(String tag) {
            this.tag = tag;
        }
    }

    /** Why a message cannot become a fabric message. */
    static final class Unmappable extends Exception {
        final Reason reason;

        Unmappable(Reason reason, String detail) {
            super(detail, null, false, false);
            this.reason = reason;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final byte[] BINARY_ARGUMENTS = "[{\"_placeholder\":true,\"num\":0}]".getBytes(StandardCharsets.US_ASCII);

    private final int maxBody;

    InboundMapping(int maxBody) {
        this.maxBody = maxBody;
    }

    Message map(InboundRule rule, Envelope envelope, AMQP.BasicProperties props, byte[] body) throws Unmappable {
        if (body.length > maxBody) {
            throw new Unmappable(Reason.TOO_LARGE, "body of " + body.length + " bytes is over max-body " + maxBody);
        }
        String room = switch (rule.room().kind()) {
            case ROUTING_KEY -> envelope.getRoutingKey();
            case HEADER -> header(props, rule.room().name());
            case FIXED -> rule.room().name();
            case NONE -> null;
        };
        if (rule.room().kind() != InboundRule.Source.Kind.NONE && (room == null || room.isEmpty())) {
            throw new Unmappable(Reason.NO_ROOM, "no room: " + (rule.room().kind() == InboundRule.Source.Kind.HEADER
                    ? "header " + rule.room().name() + " missing or empty" : "empty routing key"));
        }
        String event = rule.event().kind() == InboundRule.Source.Kind.FIXED ? rule.event().name()
                : header(props, rule.event().name());
        if (event == null || event.isEmpty()) {
            throw new Unmappable(Reason.NO_EVENT, "no event: header " + rule.event().name() + " missing or empty");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("amqp-exchange", envelope.getExchange());
        headers.put("amqp-routing-key", envelope.getRoutingKey());
        if (props.getMessageId() != null) {
            headers.put("amqp-message-id", props.getMessageId());
        }
        try {
            Message.Builder b = Message.builder(rule.namespace(), event).headers(headers);
            if (room != null) {
                b.rooms(Set.of(room));
            }
            if (rule.body() == InboundRule.Body.JSON) {
                b.arguments(jsonArgument(body));
            } else {
                b.arguments(BINARY_ARGUMENTS).attachments(List.of(body));
            }
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new Unmappable(Reason.INVALID, e.getMessage());
        }
    }

    /** {@code [body]}, after checking that the body is exactly one JSON value. */
    private static byte[] jsonArgument(byte[] body) throws Unmappable {
        try {
            com.fasterxml.jackson.databind.JsonNode node = body.length == 0 ? null : JSON.readTree(body);
            if (node == null || node.isMissingNode()) {
                throw new Unmappable(Reason.NOT_JSON, "empty body is not JSON");
            }
        } catch (JsonProcessingException e) {
            throw new Unmappable(Reason.NOT_JSON, "body is not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new Unmappable(Reason.NOT_JSON, "body is not JSON: " + e.getMessage());
        }
        byte[] args = new byte[body.length + 2];
        args[0] = '[';
        System.arraycopy(body, 0, args, 1, body.length);
        args[args.length - 1] = ']';
        return args;
    }

    private static String header(AMQP.BasicProperties props, String name) {
        Object v = props.getHeaders() == null ? null : props.getHeaders().get(name);
        return v == null ? null : v.toString();
    }
}
