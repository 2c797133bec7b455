package dev.switchboard.rabbitmq.bridge;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import dev.switchboard.core.routing.TopicFilter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code options} of a bridge of type {@code rabbitmq}, validated (documented in
 * {@code switchboard-reference.conf} and {@code docs/rabbitmq.md}).
 *
 * @param inbound         exchanges into rooms
 * @param outbound        events and rooms out to exchanges
 * @param deadLetters     exchange that unmappable inbound messages go to (fanout, declared with a queue of
 *                        the same name if absent)
 * @param maxBody         bytes; an inbound body larger than this is dead-lettered
 * @param dedupWindow     how long an accepted message id is remembered
 * @param dedupMaxIds     how many ids at most (the oldest are forgotten first)
 */
record BridgeOptions(List<InboundRule> inbound, List<OutboundRoute> outbound, String deadLetters, int maxBody,
                     Duration dedupWindow, int dedupMaxIds) {

    static final String DEFAULT_DEAD_LETTERS = "switchboard.dead-letters";
    private static final Set<String> KEYS = Set.of("inbound", "outbound", "dead-letter-exchange", "max-body", "dedup");
    private static final Set<String> DEDUP_KEYS = Set.of("window", "max-ids");
    private static final Set<String> INBOUND_KEYS = Set.of("exchange", "exchange-type", "queue", "queue-type",
            "binding-keys", "namespace", "room", "event", "body", "prefetch");
    private static final Set<String> OUTBOUND_KEYS = Set.of("namespace", "event", "room", "exchange", "exchange-type",
            "routing-key");
    private static final Set<String> EXCHANGE_TYPES = Set.of("direct", "topic", "fanout", "headers");

    BridgeOptions {
        inbound = List.copyOf(inbound);
        outbound = List.copyOf(outbound);
    }

    /** @throws IllegalArgumentException naming the option that is missing or wrong */
    static BridgeOptions read(String bridge, Config c) {
        known(c.root(), "options", KEYS);
        try {
            List<InboundRule> in = new ArrayList<>();
            int i = 0;
            for (Config r : list(c, "inbound")) {
                in.add(inbound(bridge, r, "options.inbound[" + i++ + "]"));
            }
            List<OutboundRoute> out = new ArrayList<>();
            i = 0;
            for (Config r : list(c, "outbound")) {
                out.add(outbound(r, "options.outbound[" + i++ + "]"));
            }
            String dlx = c.hasPath("dead-letter-exchange") ? c.getString("dead-letter-exchange") : DEFAULT_DEAD_LETTERS;
            int maxBody = c.hasPath("max-body") ? c.getInt("max-body") : 1_048_576;
            if (maxBody < 1 || maxBody > 128 * 1024 * 1024) {
                throw new IllegalArgumentException("options.max-body: must be within 1..134217728 bytes, was " + maxBody);
            }
            Duration window = Duration.ofMinutes(10);
            int maxIds = 100_000;
            if (c.hasPath("dedup")) {
                known(c.getObject("dedup"), "options.dedup", DEDUP_KEYS);
                if (c.hasPath("dedup.window")) {
                    window = c.getDuration("dedup.window");
                }
                if (c.hasPath("dedup.max-ids")) {
                    maxIds = c.getInt("dedup.max-ids");
                }
                if (window.isNegative() || maxIds < 0 || maxIds > 10_000_000) {
                    throw new IllegalArgumentException("options.dedup: window must be >= 0 and max-ids within 0..10000000");
                }
            }
            if (in.isEmpty() && out.isEmpty()) {
                throw new IllegalArgumentException("options: neither inbound nor outbound rules: the bridge would do nothing");
            }
            return new BridgeOptions(in, out, dlx, maxBody, window, maxIds);
        } catch (ConfigException e) {
            throw new IllegalArgumentException("options: " + e.getMessage().replace('\n', ' '));
        }
    }

    private static InboundRule inbound(String bridge, Config r, String key) {
        known(r.root(), key, INBOUND_KEYS);
        String exchange = required(r, "exchange", key);
        String type = exchangeType(r, key);
        String queue = r.hasPath("queue") ? r.getString("queue") : "switchboard.bridge." + bridge + "." + exchange;
        if (queue.isEmpty() || queue.length() > 255 || queue.startsWith("amq.")) {
            throw new IllegalArgumentException(key + ".queue: 1..255 characters, not starting with amq., was \"" + queue + "\"");
        }
        String queueType = r.hasPath("queue-type") ? r.getString("queue-type") : "quorum";
        if (!queueType.equals("quorum") && !queueType.equals("classic")) {
            throw new IllegalArgumentException(key + ".queue-type: expected quorum or classic, found \"" + queueType + "\"");
        }
        List<String> keys = r.hasPath("binding-keys") ? r.getStringList("binding-keys") : List.of("#");
        String ns = r.hasPath("namespace") ? r.getString("namespace") : "/";
        if (!ns.startsWith("/")) {
            throw new IllegalArgumentException(key + ".namespace: must start with '/', found \"" + ns + "\"");
        }
        InboundRule.Source room = InboundRule.Source.parse(r.hasPath("room") ? r.getString("room") : "routing-key",
                true, true, key + ".room");
        InboundRule.Source event = InboundRule.Source.parse(required(r, "event", key), false, false, key + ".event");
        InboundRule.Body body = InboundRule.Body.parse(r.hasPath("body") ? r.getString("body") : "json", key + ".body");
        int prefetch = r.hasPath("prefetch") ? r.getInt("prefetch") : 64;
        if (prefetch < 1 || prefetch > 65_535) {
            throw new IllegalArgumentException(key + ".prefetch: must be within 1..65535, was " + prefetch);
        }
        return new InboundRule(exchange, type, queue, queueType, keys, ns, room, event, body, prefetch);
    }

    private static OutboundRoute outbound(Config r, String key) {
        known(r.root(), key, OUTBOUND_KEYS);
        String ns = r.hasPath("namespace") ? r.getString("namespace") : "/";
        if (!ns.startsWith("/")) {
            throw new IllegalArgumentException(key + ".namespace: must start with '/', found \"" + ns + "\"");
        }
        String event = r.hasPath("event") ? r.getString("event") : null;
        TopicFilter room = null;
        if (r.hasPath("room")) {
            try {
                room = TopicFilter.of(r.getString("room"));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(key + ".room: " + e.getMessage());
            }
        }
        String exchange = required(r, "exchange", key);
        String routingKey = r.hasPath("routing-key") ? r.getString("routing-key") : "{event}";
        return new OutboundRoute(ns, event, room, exchange, exchangeType(r, key), routingKey);
    }

    private static String exchangeType(Config r, String key) {
        String type = r.hasPath("exchange-type") ? r.getString("exchange-type") : "topic";
        if (!EXCHANGE_TYPES.contains(type)) {
            throw new IllegalArgumentException(key + ".exchange-type: expected one of " + new TreeSet<>(EXCHANGE_TYPES)
                    + ", found \"" + type + "\"");
        }
        return type;
    }

    private static String required(Config r, String path, String key) {
        if (!r.hasPath(path) || r.getString(path).isEmpty()) {
            throw new IllegalArgumentException(key + "." + path + ": required");
        }
        return r.getString(path);
    }

    private static List<Config> list(Config c, String path) {
        if (!c.hasPath(path)) {
            return List.of();
        }
        List<Config> out = new ArrayList<>();
        for (ConfigValue v : c.getList(path)) {
            if (!(v instanceof ConfigObject o)) {
                throw new IllegalArgumentException("options." + path + ": expected a list of objects, found " + v.render());
            }
            out.add(o.toConfig());
        }
        return out;
    }

    private static void known(ConfigObject o, String key, Set<String> keys) {
        for (String k : o.keySet()) {
            if (!keys.contains(k)) {
                throw new IllegalArgumentException(key + "." + k + ": unknown key (known: " + String.join(", ", new TreeSet<>(keys)) + ")");
            }
        }
    }
}
