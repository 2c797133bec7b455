package dev.switchboard.kafka.bridge;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.switchboard.core.message.Message;
import dev.switchboard.core.message.MessageId;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Turns one record of an inbound rule into a fabric {@link Message}, or says why it cannot (the reason
 * that goes into the dead letter's header).
 *
 * <p>JSON values are parsed once, by a streaming parser that only checks that the value is exactly one
 * JSON value; the bytes are then spliced into the message's argument array as they are, never re-encoded.
 *
 * <p>The message id: the record's {@value #MESSAGE_ID_HEADER} header when it holds one (a producer that
 * retries keeps its id, so its duplicates are suppressed too), otherwise one derived from topic, partition
 * and offset (a redelivered record gets the same id). Stateless; thread-safe.
 */
final class RecordMapper {

    static final String MESSAGE_ID_HEADER = "sb-message-id";
    private static final JsonFactory JSON = JsonFactory.builder().build();
    private static final byte[] BINARY_ARGS = "[{\"_placeholder\":true,\"num\":0}]".getBytes(StandardCharsets.US_ASCII);

    /** Why a record was not mapped; the text goes into the dead letter's reason header. */
    enum Reason {
        BAD_JSON("bad-json"), OVERSIZED("oversized"), MISSING_KEY("missing-key"), MISSING_HEADER("missing-header"),
        BAD_NAME("bad-name"), NO_VALUE("no-value");

        final String text;

        Reason(String text) {
            this.text = text;
        }
    }

    /** A record that cannot become a message: the reason and a detail for the header and the log. */
    record Unmappable(Reason reason, String detail) {}

    /** Either {@code message} or {@code unmappable} is set. */
    record Result(Message message, Unmappable unmappable) {}

    private final InboundRule rule;

    RecordMapper(InboundRule rule) {
        this.rule = rule;
    }

    Result map(ConsumerRecord<byte[], byte[]> record) {
        byte[] value = record.value();
        if (value == null) {
            return fail(Reason.NO_VALUE, "the record has no value (a tombstone)");
        }
        if (value.length > rule.maxRecordBytes()) {
            return fail(Reason.OVERSIZED, value.length + " bytes, more than max-record-bytes " + rule.maxRecordBytes());
        }
        String room;
        String event;
        try {
            room = name(record, rule.room(), "room");
            event = name(record, rule.event(), "event");
        } catch (NameException e) {
            return new Result(null, e.unmappable);
        }
        Message.Builder b = Message.builder(rule.namespace(), event).id(id(record)).rooms(Set.of(room));
        if (rule.value() == InboundRule.ValueFormat.BINARY) {
            b.arguments(BINARY_ARGS).attachments(List.of(value));
        } else {
            String problem = jsonProblem(value);
            if (problem != null) {
                return fail(Reason.BAD_JSON, problem);
            }
            byte[] args = new byte[value.length + 2];
            args[0] = '[';
            System.arraycopy(value, 0, args, 1, value.length);
            args[args.length - 1] = ']';
            b.arguments(args);
        }
        return new Result(b.build(), null);
    }

    private static Result fail(Reason reason, String detail) {
        return new Result(null, new Unmappable(reason, detail));
    }

    private static final class NameException extends Exception {
        final Unmappable unmappable;

        NameException(Reason reason, String detail) {
            super(detail, null, false, false);
            this.unmappable = new Unmappable(reason, detail);
        }
    }

    private static String name(ConsumerRecord<byte[], byte[]> record, InboundRule.Source source, String what) throws NameException {
        byte[] raw;
        switch (source.kind()) {
            case FIXED:
                return source.name();
            case KEY:
                raw = record.key();
                if (raw == null || raw.length == 0) {
                    throw new NameException(Reason.MISSING_KEY, "the record has no key to name the " + what);
                }
                break;
            default:
                Header h = record.headers().lastHeader(source.name());
                if (h == null || h.value() == null || h.value().length == 0) {
                    throw new NameException(Reason.MISSING_HEADER, "the record has no header " + source.name() + " to name the " + what);
                }
                raw = h.value();
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            throw new NameException(Reason.BAD_NAME, "the " + what + " name (" + source + ") is not UTF-8 text");
        }
    }

    /** The id of the message a record becomes (see the class comment). */
    static MessageId id(ConsumerRecord<byte[], byte[]> record) {
        Header h = record.headers().lastHeader(MESSAGE_ID_HEADER);
        if (h != null && h.value() != null && h.value().length == MessageId.STRING_LENGTH) {
            try {
                return MessageId.parse(new String(h.value(), StandardCharsets.US_ASCII));
            } catch (IllegalArgumentException e) {
                // Not an id of ours: fall back to the record's coordinates.
            }
        }
        long hi = record.topic().hashCode() * 0x9E3779B97F4A7C15L ^ ((long) record.partition() << 1 | 1);
        return MessageId.of(hi, record.offset());
    }

    /** Null when {@code value} is exactly one JSON value (whitespace around it allowed); else what is wrong. */
    static String jsonProblem(byte[] value) {
        try (JsonParser p = JSON.createParser(value)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                return "empty value, not JSON";
            }
            p.skipChildren();
            if (p.nextToken() != null) {
                return "more than one JSON value";
            }
            return null;
        } catch (IOException e) {
            String m = e.getMessage();
            int nl = m == null ? -1 : m.indexOf('\n');
            return "not JSON: " + (nl < 0 ? m : m.substring(0, nl));
        }
    }
}
