package dev.switchboard.server.durable;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.switchboard.core.durable.DurableRooms;
import dev.switchboard.core.inbox.InboxConfig;
import dev.switchboard.core.spi.RetentionPolicy;
import dev.switchboard.server.config.ConfigProblem;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * {@code switchboard.durable} and {@code switchboard.inbox}, validated: which rooms are durable and how
 * long they keep history, when writes are acknowledged, and how inboxes deliver. Immutable.
 *
 * @param rooms       durable room rules (none by default)
 * @param policy      when a write is acknowledged (os, the default, or fsync)
 * @param sessionTtl  how long a disconnected socket of a durable room stays recoverable
 * @param maxReplay   most events replayed to one reconnecting socket
 * @param retentionCheck how often retention drops old messages
 * @param store       which storage plane holds streams, queues and sessions ({@code switchboard.store})
 */
public record DurableSettings(
        DurableRooms rooms,
        Policy policy,
        Duration sessionTtl,
        int maxReplay,
        Duration retentionCheck,
        Inbox inbox,
        String store) {

    /**
     * When a stored message is acknowledged; each storage plane maps it to its own terms (the embedded
     * store's {@code Durability}, Kafka's {@code acks}, RabbitMQ's confirms).
     */
    public enum Policy {
        /** Once written to the operating system: survives a process crash, not a power cut. */
        OS,
        /** Once on disk (fsync, group commit). */
        FSYNC
    }

    public DurableSettings {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(rooms, "rooms");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(sessionTtl, "sessionTtl");
        Objects.requireNonNull(retentionCheck, "retentionCheck");
        Objects.requireNonNull(inbox, "inbox");
    }

    /**
     * Reliable inboxes.
     *
     * @param namespace   the namespace whose sockets receive their user's inbox
     * @param userIdFrom  where the user id comes from in the handshake: {@code auth.<key>} or {@code query.<key>}
     * @param maxAttempts deliveries before a message goes to the dead letters
     */
    public record Inbox(boolean enabled, String namespace, String userIdFrom, Duration ackTimeout, int maxAttempts,
                        InboxConfig.Fanout fanout, int maxInFlight) {

        /** The user id of a handshake, or null when it carries none. */
        public String userId(dev.switchboard.socketio.Handshake h) {
            int dot = userIdFrom.indexOf('.');
            String where = userIdFrom.substring(0, dot);
            String key = userIdFrom.substring(dot + 1);
            Object v = where.equals("auth") ? h.auth().get(key) : h.query().get(key);
            if (v instanceof String s && !s.isBlank() && s.length() <= 256) {
                return s;
            }
            if (v instanceof Number n) {
                return n.toString();
            }
            return null;
        }

        public InboxConfig inboxConfig() {
            return InboxConfig.newBuilder().ackTimeout(ackTimeout).fanout(fanout).maxInFlight(maxInFlight).build();
        }
    }

    /** No durable rooms, inboxes with their defaults, the embedded store (as the reference configuration). */
    public static DurableSettings defaults() {
        return new DurableSettings(DurableRooms.none(), Policy.OS, Duration.ofDays(1), 10_000, Duration.ofSeconds(30),
                new Inbox(true, "/", "auth.userId", Duration.ofSeconds(30), 5, InboxConfig.Fanout.ALL, 32), "embedded");
    }

    /** The same settings on another storage plane. */
    public DurableSettings withStore(String store) {
        return new DurableSettings(rooms, policy, sessionTtl, maxReplay, retentionCheck, inbox, store);
    }

    public boolean hasDurableRooms() {
        return !rooms.rules().isEmpty();
    }

    /** The retention of streams that are not a durable room's (the recovery sequence streams): Kafka's default. */
    public static final RetentionPolicy OTHER_STREAMS = RetentionPolicy.newBuilder().maxAge(Duration.ofDays(7)).build();

    private static final Set<String> RULE_KEYS = Set.of("namespace", "room", "retention");
    private static final Set<String> RETENTION_KEYS = Set.of("max-messages", "max-age", "max-bytes");

    /** Reads both sections from the merged configuration (the keys were checked against the reference). */
    public static DurableSettings read(Config c) throws ConfigProblem {
        DurableRooms.Builder rooms = DurableRooms.newBuilder();
        List<? extends ConfigValue> rules;
        try {
            rules = c.getList("switchboard.durable.rooms");
        } catch (ConfigException e) {
            throw new ConfigProblem("switchboard.durable.rooms: expected a list of {namespace, room, retention}");
        }
        int i = 0;
        for (ConfigValue v : rules) {
            String key = "switchboard.durable.rooms[" + i++ + "]";
            if (!(v instanceof ConfigObject o)) {
                throw new ConfigProblem(key + ": expected an object {namespace, room, retention}, found " + v.render());
            }
            for (String k : o.keySet()) {
                if (!RULE_KEYS.contains(k)) {
                    throw new ConfigProblem(key + "." + k + ": unknown key (known: namespace, room, retention)");
                }
            }
            Config rule = o.toConfig();
            String ns = rule.hasPath("namespace") ? text(rule, "namespace", key) : "/";
            if (!rule.hasPath("room")) {
                throw new ConfigProblem(key + ".room: required (a room name or glob, e.g. \"orders-*\")");
            }
            String room = text(rule, "room", key);
            RetentionPolicy.Builder retention = RetentionPolicy.newBuilder().maxAge(Duration.ofDays(7));
            if (rule.hasPath("retention")) {
                ConfigValue rv = rule.getValue("retention");
                if (!(rv instanceof ConfigObject ro)) {
                    throw new ConfigProblem(key + ".retention: expected an object {max-messages, max-age, max-bytes}");
                }
                for (String k : ro.keySet()) {
                    if (!RETENTION_KEYS.contains(k)) {
                        throw new ConfigProblem(key + ".retention." + k + ": unknown key (known: max-messages, max-age, max-bytes)");
                    }
                }
                try {
                    if (rule.hasPath("retention.max-messages")) {
                        retention.maxMessages(rule.getLong("retention.max-messages"));
                    }
                    if (rule.hasPath("retention.max-bytes")) {
                        retention.maxBytes(rule.getBytes("retention.max-bytes"));
                    }
                    if (rule.hasPath("retention.max-age")) {
                        retention.maxAge(rule.getDuration("retention.max-age"));
                    }
                } catch (ConfigException | IllegalArgumentException e) {
                    throw new ConfigProblem(key + ".retention: " + e.getMessage().replaceAll("\\s*\\R\\s*", " "));
                }
            }
            try {
                rooms.add(ns, room, retention.build());
            } catch (IllegalArgumentException e) {
                throw new ConfigProblem(key + ": " + e.getMessage());
            }
        }
        String policyText = c.getString("switchboard.durable.policy").toLowerCase(Locale.ROOT);
        Policy policy = switch (policyText) {
            case "os" -> Policy.OS;
            case "fsync" -> Policy.FSYNC;
            default -> throw new ConfigProblem("switchboard.durable.policy: expected os or fsync, found " + policyText);
        };
        Duration ttl = positive(c, "switchboard.durable.session-ttl");
        int maxReplay = intIn(c, "switchboard.durable.max-replay", 1, 1_000_000);
        Duration retentionCheck = positive(c, "switchboard.durable.retention-check");
        if (retentionCheck.toMillis() < 10 || retentionCheck.compareTo(Duration.ofHours(1)) > 0) {
            throw new ConfigProblem("switchboard.durable.retention-check: must be within 10ms..1h, found " + retentionCheck);
        }

        String userIdFrom = c.getString("switchboard.inbox.user-id-from");
        if (!userIdFrom.matches("(auth|query)\\.[^.]+")) {
            throw new ConfigProblem("switchboard.inbox.user-id-from: expected auth.<key> or query.<key>, found " + userIdFrom);
        }
        String fanoutText = c.getString("switchboard.inbox.fanout").toLowerCase(Locale.ROOT);
        InboxConfig.Fanout fanout = switch (fanoutText) {
            case "all" -> InboxConfig.Fanout.ALL;
            case "one" -> InboxConfig.Fanout.ONE;
            default -> throw new ConfigProblem("switchboard.inbox.fanout: expected all or one, found " + fanoutText);
        };
        Duration ackTimeout = positive(c, "switchboard.inbox.ack-timeout");
        if (ackTimeout.toMillis() < 10 || ackTimeout.compareTo(Duration.ofHours(1)) > 0) {
            throw new ConfigProblem("switchboard.inbox.ack-timeout: must be within 10ms..1h, found " + ackTimeout);
        }
        String ns = c.getString("switchboard.inbox.namespace");
        if (!ns.startsWith("/")) {
            throw new ConfigProblem("switchboard.inbox.namespace: must start with '/', found " + ns);
        }
        Inbox inbox = new Inbox(c.getBoolean("switchboard.inbox.enabled"), ns, userIdFrom, ackTimeout,
                intIn(c, "switchboard.inbox.max-attempts", 1, 10_000), fanout,
                intIn(c, "switchboard.inbox.max-in-flight", 1, 10_000));
        return new DurableSettings(rooms.build(), policy, ttl, maxReplay, retentionCheck, inbox, "embedded");
    }

    private static String text(Config rule, String path, String key) throws ConfigProblem {
        if (rule.getValue(path).valueType() != ConfigValueType.STRING || rule.getString(path).isEmpty()) {
            throw new ConfigProblem(key + "." + path + ": expected a non-empty string");
        }
        return rule.getString(path);
    }

    private static Duration positive(Config c, String path) throws ConfigProblem {
        try {
            Duration d = c.getDuration(path);
            if (d.isNegative() || d.isZero()) {
                throw new ConfigProblem(path + ": must be more than zero, found " + d);
            }
            return d;
        } catch (ConfigException e) {
            throw new ConfigProblem(path + ": expected a duration such as 500ms, 25s or 2m");
        }
    }

    private static int intIn(Config c, String path, int min, int max) throws ConfigProblem {
        long v;
        try {
            v = c.getLong(path);
        } catch (ConfigException e) {
            throw new ConfigProblem(path + ": expected a whole number");
        }
        if (v < min || v > max) {
            throw new ConfigProblem(path + ": must be between " + min + " and " + max + ", found " + v);
        }
        return (int) v;
    }
}
