package dev.switchboard.kafka.bridge;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A Kafka bridge's {@code options}, validated; every error names the key. The keys and defaults are
 * documented in {@code docs/kafka.md}.
 *
 * @param bootstrapServers {@code host:port[,host:port...]}
 * @param requestTimeout   Kafka request timeout, the wait for brokers at start, and the time a broker may be
 *                         unreachable before the bridge reports itself down
 */
record KafkaBridgeOptions(String bootstrapServers, Duration requestTimeout, List<InboundRule> inbound,
                          List<OutboundRule> outbound) {

    private static final Set<String> KEYS = Set.of("bootstrap-servers", "request-timeout", "inbound", "outbound");
    private static final Set<String> IN_KEYS = Set.of("topic", "namespace", "room", "event", "value", "group",
            "dead-letter-topic", "max-record-bytes", "max-queued-per-partition", "dedup-window");
    private static final Set<String> OUT_KEYS = Set.of("namespace", "event", "topic", "key", "value");

    /** Default {@code max-record-bytes}: Kafka's own default largest record. */
    static final int DEFAULT_MAX_RECORD_BYTES = 1 << 20;
    /** Default {@code max-queued-per-partition}: a few polls' worth, about 1 MiB of small records. */
    static final int DEFAULT_MAX_QUEUED = 1000;
    /** Default {@code dedup-window}: ids are ~60 bytes each, so about 6 MiB per rule. */
    static final int DEFAULT_DEDUP_WINDOW = 100_000;

    KafkaBridgeOptions {
        inbound = List.copyOf(inbound);
        outbound = List.copyOf(outbound);
    }

    static KafkaBridgeOptions read(String bridge, Config c) {
        unknownKeys(c.root(), "", KEYS);
        String bootstrap = string(c, "bootstrap-servers", "");
        Duration timeout = c.hasPath("request-timeout") ? duration(c, "request-timeout", "") : Duration.ofSeconds(10);
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("request-timeout: must be positive, was " + timeout);
        }
        List<InboundRule> in = new ArrayList<>();
        Set<String> groups = new HashSet<>();
        int i = 0;
        for (Config r : objects(c, "inbound")) {
            String at = "inbound[" + i++ + "].";
            unknownKeys(r.root(), at, IN_KEYS);
            String topic = string(r, "topic", at);
            String namespace = r.hasPath("namespace") ? string(r, "namespace", at) : "/";
            if (!namespace.startsWith("/")) {
                throw new IllegalArgumentException(at + "namespace: starts with '/', was '" + namespace + "'");
            }
            InboundRule.Source room = source(r, "room", at, true, false);
            InboundRule.Source event = source(r, "event", at, false, true);
            InboundRule.ValueFormat value = InboundRule.ValueFormat.JSON;
            if (r.hasPath("value")) {
                String v = string(r, "value", at);
                value = switch (v) {
                    case "json" -> InboundRule.ValueFormat.JSON;
                    case "binary" -> InboundRule.ValueFormat.BINARY;
                    default -> throw new IllegalArgumentException(at + "value: json or binary, was '" + v + "'");
                };
            }
            String group = r.hasPath("group") ? string(r, "group", at) : "switchboard-" + bridge + "-" + topic;
            if (!groups.add(group)) {
                throw new IllegalArgumentException(at + "group: '" + group + "' is used by another rule (each rule needs its own)");
            }
            String dlt = r.hasPath("dead-letter-topic") ? string(r, "dead-letter-topic", at) : null;
            if (topic.equals(dlt)) {
                throw new IllegalArgumentException(at + "dead-letter-topic: cannot be the consumed topic");
            }
            int maxBytes = r.hasPath("max-record-bytes") ? bytes(r, "max-record-bytes", at) : DEFAULT_MAX_RECORD_BYTES;
            int maxQueued = r.hasPath("max-queued-per-partition") ? intIn(r, "max-queued-per-partition", at, 1, 100_000) : DEFAULT_MAX_QUEUED;
            int window = r.hasPath("dedup-window") ? intIn(r, "dedup-window", at, 0, 10_000_000) : DEFAULT_DEDUP_WINDOW;
            in.add(new InboundRule(topic, namespace, room, event, value, group, dlt, maxBytes, maxQueued, window));
        }
        List<OutboundRule> out = new ArrayList<>();
        Set<String> routed = new HashSet<>();
        i = 0;
        for (Config r : objects(c, "outbound")) {
            String at = "outbound[" + i++ + "].";
            unknownKeys(r.root(), at, OUT_KEYS);
            String namespace = r.hasPath("namespace") ? string(r, "namespace", at) : "/";
            if (!namespace.startsWith("/")) {
                throw new IllegalArgumentException(at + "namespace: starts with '/', was '" + namespace + "'");
            }
            String event = string(r, "event", at);
            if (!routed.add(namespace + "\u0000" + event)) {
                throw new IllegalArgumentException(at + "event: " + event + " of " + namespace + " already has an outbound rule");
            }
            String topic = string(r, "topic", at);
            OutboundRule.Key key;
            try {
                key = OutboundRule.Key.parse(r.hasPath("key") ? string(r, "key", at) : "none");
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(at + "key: " + e.getMessage());
            }
            OutboundRule.Value value = OutboundRule.Value.FIRST;
            if (r.hasPath("value")) {
                String v = string(r, "value", at);
                value = switch (v) {
                    case "first" -> OutboundRule.Value.FIRST;
                    case "array" -> OutboundRule.Value.ARRAY;
                    default -> throw new IllegalArgumentException(at + "value: first or array, was '" + v + "'");
                };
            }
            out.add(new OutboundRule(namespace, event, topic, key, value));
        }
        if (in.isEmpty() && out.isEmpty()) {
            throw new IllegalArgumentException("no inbound and no outbound rule: the bridge would do nothing");
        }
        return new KafkaBridgeOptions(bootstrap, timeout, in, out);
    }

    private static InboundRule.Source source(Config r, String key, String at, boolean keyAllowed, boolean bareIsFixed) {
        String text = string(r, key, at);
        try {
            return InboundRule.Source.parse(text, keyAllowed, bareIsFixed);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(at + key + ": " + e.getMessage());
        }
    }

    private static List<Config> objects(Config c, String path) {
        if (!c.hasPath(path)) {
            return List.of();
        }
        List<Config> out = new ArrayList<>();
        try {
            for (ConfigValue v : c.getList(path)) {
                if (!(v instanceof ConfigObject o)) {
                    throw new IllegalArgumentException(path + ": expected a list of objects, found " + v.render());
                }
                out.add(o.toConfig());
            }
        } catch (ConfigException.WrongType e) {
            throw new IllegalArgumentException(path + ": expected a list of objects");
        }
        return out;
    }

    private static void unknownKeys(ConfigObject o, String at, Set<String> known) {
        for (String k : o.keySet()) {
            if (!known.contains(k)) {
                throw new IllegalArgumentException(at + k + ": unknown key (known: " + String.join(", ", new TreeSet<>(known)) + ")");
            }
        }
    }

    private static String string(Config c, String key, String at) {
        if (!c.hasPath(key)) {
            throw new IllegalArgumentException(at + key + ": required");
        }
        try {
            String s = c.getString(key);
            if (s.isEmpty()) {
                throw new IllegalArgumentException(at + key + ": cannot be empty");
            }
            return s;
        } catch (ConfigException.WrongType e) {
            throw new IllegalArgumentException(at + key + ": expected a string");
        }
    }

    private static Duration duration(Config c, String key, String at) {
        try {
            return c.getDuration(key);
        } catch (ConfigException e) {
            throw new IllegalArgumentException(at + key + ": expected a duration such as 10s");
        }
    }

    private static int bytes(Config c, String key, String at) {
        try {
            long n = c.getBytes(key);
            if (n < 1 || n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(at + key + ": 1 byte to 2 GiB, was " + n);
            }
            return (int) n;
        } catch (ConfigException e) {
            throw new IllegalArgumentException(at + key + ": expected a size such as 1m");
        }
    }

    private static int intIn(Config c, String key, String at, int min, int max) {
        try {
            int n = c.getInt(key);
            if (n < min || n > max) {
                throw new IllegalArgumentException(at + key + ": " + min + ".." + max + ", was " + n);
            }
            return n;
        } catch (ConfigException e) {
            throw new IllegalArgumentException(at + key + ": expected a number");
        }
    }
}
