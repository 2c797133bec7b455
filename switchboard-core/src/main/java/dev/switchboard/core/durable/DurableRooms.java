package dev.switchboard.core.durable;

import dev.switchboard.core.spi.RetentionPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Which Socket.IO rooms are durable, and how long each keeps its history: an ordered list of rules
 * (namespace glob, room glob, retention); the first rule that matches a room decides. A room no rule
 * matches is not durable (its messages are not stored).
 *
 * <p>Globs: {@code *} matches any run of characters (also none), {@code ?} exactly one, everything
 * else itself. {@code ("/chat", "room-*")} makes every {@code room-...} of namespace {@code /chat}
 * durable; {@code ("*", "*")} every room.
 *
 * <p>The policy lives here, apart from any store, because every protocol (Socket.IO now, MQTT next)
 * and every stream store implementation (embedded, Kafka) asks the same question of it.
 *
 * <p>A durable room's stream is named {@link #streamName(String, String) namespace#room}: Socket.IO
 * namespaces are URL paths and cannot hold {@code #} (it starts a URL fragment), so the first
 * {@code #} always separates the two. Immutable and thread-safe.
 */
public final class DurableRooms {

    /** One rule; immutable. */
    public record Rule(String namespaceGlob, String roomGlob, RetentionPolicy retention) {
        public Rule {
            Objects.requireNonNull(namespaceGlob, "namespaceGlob");
            Objects.requireNonNull(roomGlob, "roomGlob");
            Objects.requireNonNull(retention, "retention");
        }
    }

    private record Compiled(Rule rule, Pattern namespace, Pattern room) {}

    private static final DurableRooms NONE = new DurableRooms(List.of());

    private final List<Compiled> rules;

    private DurableRooms(List<Compiled> rules) {
        this.rules = rules;
    }

    /** No durable rooms. */
    public static DurableRooms none() {
        return NONE;
    }

    public static Builder newBuilder() {
        return new Builder();
    }

    public List<Rule> rules() {
        return rules.stream().map(Compiled::rule).toList();
    }

    /** The retention of the room if it is durable, empty if it is not. */
    public Optional<RetentionPolicy> match(String namespace, String room) {
        for (Compiled c : rules) {
            if (c.namespace().matcher(namespace).matches() && c.room().matcher(room).matches()) {
                return Optional.of(c.rule().retention());
            }
        }
        return Optional.empty();
    }

    public boolean isDurable(String namespace, String room) {
        return match(namespace, room).isPresent();
    }

    /** The stream holding a durable room's messages. */
    public static String streamName(String namespace, String room) {
        if (namespace.indexOf('#') >= 0) {
            throw new IllegalArgumentException("a namespace cannot contain '#': " + namespace);
        }
        return namespace + '#' + room;
    }

    /**
     * The per-stream retention to configure a stream store with: a durable room's stream gets its
     * rule's retention, any other stream {@code otherwise}.
     */
    public Function<String, RetentionPolicy> retentionByStream(RetentionPolicy otherwise) {
        Objects.requireNonNull(otherwise, "otherwise");
        return stream -> {
            int hash = stream.indexOf('#');
            if (hash < 0) {
                return otherwise;
            }
            return match(stream.substring(0, hash), stream.substring(hash + 1)).orElse(otherwise);
        };
    }

    /** Rules in the order they are tried. */
    public static final class Builder {
        private final List<Compiled> rules = new ArrayList<>();

        private Builder() {}

        /** Adds a rule, tried after the ones added before it. */
        public Builder add(String namespaceGlob, String roomGlob, RetentionPolicy retention) {
            Rule rule = new Rule(namespaceGlob, roomGlob, retention);
            if (namespaceGlob.isEmpty() || roomGlob.isEmpty()) {
                throw new IllegalArgumentException("namespace and room globs must not be empty (use \"*\" for any)");
            }
            if (namespaceGlob.indexOf('#') >= 0) {
                throw new IllegalArgumentException("a namespace cannot contain '#': " + namespaceGlob);
            }
            rules.add(new Compiled(rule, glob(namespaceGlob), glob(roomGlob)));
            return this;
        }

        public DurableRooms build() {
            return new DurableRooms(List.copyOf(rules));
        }

        static Pattern glob(String glob) {
            StringBuilder re = new StringBuilder();
            StringBuilder literal = new StringBuilder();
            for (int i = 0; i < glob.length(); i++) {
                char c = glob.charAt(i);
                if (c == '*' || c == '?') {
                    if (literal.length() > 0) {
                        re.append(Pattern.quote(literal.toString()));
                        literal.setLength(0);
                    }
                    re.append(c == '*' ? ".*" : ".");
                } else {
                    literal.append(c);
                }
            }
            if (literal.length() > 0) {
                re.append(Pattern.quote(literal.toString()));
            }
            return Pattern.compile(re.toString(), Pattern.DOTALL);
        }
    }
}
