package dev.switchboard.core.message;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One message of the routing fabric, in no protocol's form: where it goes, what it says, where it
 * came from. Every protocol renders it into its own wire format ({@code MessageRenderer}); every
 * backplane and broker carries it as {@link MessageCodec} bytes.
 *
 * <p><b>Routing.</b> It reaches the union of the subscribers of {@link #rooms()} in {@link #space()}
 * (every subscriber of the space when {@code rooms} is empty), minus the subscribers of
 * {@link #exceptRooms()} and those whose id is in {@link #exceptIds()}; each at most once.
 *
 * <p><b>Content.</b> An event name and its arguments as JSON, kept as bytes so that no node re-parses
 * them on the hot path: {@link #arguments()} is the UTF-8 text of a JSON array ({@code [1,"a",{...}]},
 * {@code []} for none) in which each binary value stands as Socket.IO's
 * {@code {"_placeholder":true,"num":i}}, {@code i} indexing {@link #attachments()}. A renderer splices
 * the array into its own frame (Socket.IO: {@code ["event",} + the array's elements + {@code ]}).
 *
 * <p><b>Immutable.</b> The builder copies what it is given; {@link #arguments()} and
 * {@link #attachment(int)} are read-only views, so a message can be shared by threads and rendered for
 * several formats at once.
 */
public final class Message {

    /** {@link #position()} of a message that is not stored. */
    public static final long NO_POSITION = -1;
    /** {@link #ackId()} of a message that asks for no acknowledgement. */
    public static final long NO_ACK = -1;

    private static final byte[] EMPTY_ARRAY = {'[', ']'};

    private final MessageId id;
    private final String space;
    private final Set<String> rooms;
    private final Set<String> exceptRooms;
    private final Set<String> exceptIds;
    private final String event;
    private final byte[] arguments;
    private final byte[][] attachments;
    private final boolean isVolatile;
    private final boolean local;
    private final boolean compress;
    private final long ackId;
    private final String originNode;
    private final String originProtocol;
    private final Map<String, String> headers;
    private final long position;

    private Message(Builder b) {
        this.id = b.id != null ? b.id : MessageId.random();
        this.space = b.space;
        this.rooms = b.rooms;
        this.exceptRooms = b.exceptRooms;
        this.exceptIds = b.exceptIds;
        this.event = b.event;
        this.arguments = b.arguments;
        this.attachments = b.attachments;
        this.isVolatile = b.isVolatile;
        this.local = b.local;
        this.compress = b.compress;
        this.ackId = b.ackId;
        this.originNode = b.originNode;
        this.originProtocol = b.originProtocol;
        this.headers = b.headers;
        this.position = b.position;
    }

    /** A builder for a message to {@code space} with event {@code event}; everything else optional. */
    public static Builder builder(String space, String event) {
        return new Builder().space(space).event(event);
    }

    /** A builder holding this message's values (same id): to change a field, e.g. the position once stored. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.id = id;
        b.space = space;
        b.rooms = rooms;
        b.exceptRooms = exceptRooms;
        b.exceptIds = exceptIds;
        b.event = event;
        b.arguments = arguments;
        b.attachments = attachments;
        b.isVolatile = isVolatile;
        b.local = local;
        b.compress = compress;
        b.ackId = ackId;
        b.originNode = originNode;
        b.originProtocol = originProtocol;
        b.headers = headers;
        b.position = position;
        return b;
    }

    public MessageId id() {
        return id;
    }

    /** The space (a Socket.IO namespace, another protocol's realm). */
    public String space() {
        return space;
    }

    /** Target rooms; empty means every subscriber of the space. */
    public Set<String> rooms() {
        return rooms;
    }

    /** True when the message goes to every subscriber of the space ({@link #rooms()} is empty). */
    public boolean wholeSpace() {
        return rooms.isEmpty();
    }

    /** Rooms whose subscribers are excluded. */
    public Set<String> exceptRooms() {
        return exceptRooms;
    }

    /** Subscriber ids excluded (the sender of {@code socket.broadcast}). */
    public Set<String> exceptIds() {
        return exceptIds;
    }

    public String event() {
        return event;
    }

    /** The JSON array of the arguments, UTF-8; a read-only view positioned at its start. */
    public ByteBuffer arguments() {
        return ByteBuffer.wrap(arguments).asReadOnlyBuffer();
    }

    /** Length in bytes of {@link #arguments()}. */
    public int argumentsLength() {
        return arguments.length;
    }

    /** The arguments as JSON text (for logs and tests; renderers read {@link #arguments()}). */
    public String argumentsJson() {
        return new String(arguments, StandardCharsets.UTF_8);
    }

    /** Number of binary attachments. */
    public int attachmentCount() {
        return attachments.length;
    }

    /** The i-th binary attachment; a read-only view. */
    public ByteBuffer attachment(int i) {
        return ByteBuffer.wrap(attachments[i]).asReadOnlyBuffer();
    }

    /** Drop for subscribers that cannot take it now instead of queueing. */
    public boolean isVolatile() {
        return isVolatile;
    }

    /** Deliver on the node where it was published only: never sent through the backplane. */
    public boolean local() {
        return local;
    }

    /** The publisher would like it compressed where the protocol can (a hint). */
    public boolean compress() {
        return compress;
    }

    /**
     * The acknowledgement id its recipients answer to, or {@link #NO_ACK}. Meaningful on one node only:
     * a node that receives such a message from another gives it an id of its own.
     */
    public long ackId() {
        return ackId;
    }

    /** The id of the node it was published on; empty when not known. */
    public String originNode() {
        return originNode;
    }

    /** The protocol that published it ({@code socketio}, {@code http}, {@code mqtt}, ...); empty when not known. */
    public String originProtocol() {
        return originProtocol;
    }

    /** Free-form headers (Kafka headers, AMQP properties, MQTT 5 user properties); unmodifiable. */
    public Map<String, String> headers() {
        return headers;
    }

    /**
     * Its position in the stream it is stored in, or {@link #NO_POSITION}. Positions are opaque and
     * monotonic per stream, not necessarily dense.
     */
    public long position() {
        return position;
    }

    // package-private raw access for the codec (no copies)
    byte[] rawArguments() {
        return arguments;
    }

    byte[] rawAttachment(int i) {
        return attachments[i];
    }

    @Override
    public String toString() {
        return "Message[" + id + " " + space + " " + event + (rooms.isEmpty() ? "" : " to " + rooms)
                + (exceptRooms.isEmpty() ? "" : " except " + exceptRooms) + ", " + arguments.length + " B args, "
                + attachments.length + " attachments" + (isVolatile ? ", volatile" : "") + (local ? ", local" : "")
                + (ackId >= 0 ? ", ack " + ackId : "") + (position >= 0 ? ", position " + position : "") + ']';
    }

    /** Content equality (id included), for tests and de-duplication checks. */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Message m)) {
            return false;
        }
        if (!(id.equals(m.id) && space.equals(m.space) && event.equals(m.event) && rooms.equals(m.rooms)
                && exceptRooms.equals(m.exceptRooms) && exceptIds.equals(m.exceptIds)
                && Arrays.equals(arguments, m.arguments) && isVolatile == m.isVolatile && local == m.local
                && compress == m.compress && ackId == m.ackId && originNode.equals(m.originNode)
                && originProtocol.equals(m.originProtocol) && headers.equals(m.headers) && position == m.position
                && attachments.length == m.attachments.length)) {
            return false;
        }
        for (int i = 0; i < attachments.length; i++) {
            if (!Arrays.equals(attachments[i], m.attachments[i])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    /**
     * Builds a {@link Message}; validates each value as it is set. {@link #build()} leaves the builder
     * unchanged, so one builder can make several messages (each gets a new id unless {@link #id} was set).
     */
    public static final class Builder {
        private MessageId id;
        private String space;
        private Set<String> rooms = Set.of();
        private Set<String> exceptRooms = Set.of();
        private Set<String> exceptIds = Set.of();
        private String event;
        private byte[] arguments = EMPTY_ARRAY;
        private byte[][] attachments = new byte[0][];
        private boolean isVolatile;
        private boolean local;
        private boolean compress;
        private long ackId = NO_ACK;
        private String originNode = "";
        private String originProtocol = "";
        private Map<String, String> headers = Map.of();
        private long position = NO_POSITION;

        private Builder() {}

        /** A fixed id (a message read back from a store or a broker); by default each build makes a new one. */
        public Builder id(MessageId id) {
            this.id = Objects.requireNonNull(id, "id");
            return this;
        }

        public Builder space(String space) {
            this.space = Objects.requireNonNull(space, "space");
            return this;
        }

        public Builder event(String event) {
            this.event = Objects.requireNonNull(event, "event");
            return this;
        }

        public Builder rooms(Set<String> rooms) {
            this.rooms = Set.copyOf(rooms);
            return this;
        }

        public Builder exceptRooms(Set<String> rooms) {
            this.exceptRooms = Set.copyOf(rooms);
            return this;
        }

        public Builder exceptIds(Set<String> ids) {
            this.exceptIds = Set.copyOf(ids);
            return this;
        }

        /**
         * The arguments as the UTF-8 text of a JSON array (copied). Checked only for its brackets (the
         * first byte {@code [}, the last {@code ]}): the producer serialised it, and nobody re-parses it.
         */
        public Builder arguments(byte[] jsonArray) {
            Objects.requireNonNull(jsonArray, "arguments");
            if (jsonArray.length < 2 || jsonArray[0] != '[' || jsonArray[jsonArray.length - 1] != ']') {
                throw new IllegalArgumentException("arguments must be a JSON array with no surrounding whitespace");
            }
            this.arguments = jsonArray.clone();
            return this;
        }

        /** {@link #arguments(byte[])} from text. */
        public Builder arguments(String jsonArray) {
            return arguments(jsonArray.getBytes(StandardCharsets.UTF_8));
        }

        /** For the codec: arrays it just made and hands over (no copy, no check beyond its own). */
        Builder owned(byte[] jsonArray, byte[][] attachments) {
            this.arguments = jsonArray;
            this.attachments = attachments;
            return this;
        }

        /** The binary attachments, in placeholder order (each copied). */
        public Builder attachments(List<byte[]> attachments) {
            byte[][] copy = new byte[attachments.size()][];
            for (int i = 0; i < copy.length; i++) {
                copy[i] = Objects.requireNonNull(attachments.get(i), "attachment").clone();
            }
            this.attachments = copy;
            return this;
        }

        public Builder isVolatile(boolean v) {
            this.isVolatile = v;
            return this;
        }

        public Builder local(boolean v) {
            this.local = v;
            return this;
        }

        public Builder compress(boolean v) {
            this.compress = v;
            return this;
        }

        /** @param ackId {@code >= 0}, or {@link #NO_ACK} */
        public Builder ackId(long ackId) {
            if (ackId < NO_ACK) {
                throw new IllegalArgumentException("ackId must be >= 0 or NO_ACK, was " + ackId);
            }
            this.ackId = ackId;
            return this;
        }

        public Builder origin(String node, String protocol) {
            this.originNode = Objects.requireNonNull(node, "node");
            this.originProtocol = Objects.requireNonNull(protocol, "protocol");
            return this;
        }

        public Builder headers(Map<String, String> headers) {
            this.headers = Map.copyOf(headers);
            return this;
        }

        /** @param position {@code >= 0}, or {@link #NO_POSITION} */
        public Builder position(long position) {
            if (position < NO_POSITION) {
                throw new IllegalArgumentException("position must be >= 0 or NO_POSITION, was " + position);
            }
            this.position = position;
            return this;
        }

        public Message build() {
            if (space == null || event == null) {
                throw new IllegalStateException("a message needs a space and an event");
            }
            return new Message(this);
        }
    }

    /** The attachments as a new list of copies (tests, slow paths). */
    public List<byte[]> attachmentsCopy() {
        List<byte[]> out = new ArrayList<>(attachments.length);
        for (byte[] a : attachments) {
            out.add(a.clone());
        }
        return out;
    }
}
