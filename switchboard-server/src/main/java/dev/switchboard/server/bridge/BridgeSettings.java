package dev.switchboard.server.bridge;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import dev.switchboard.core.bridge.BridgeConfig;
import dev.switchboard.core.bridge.BridgeFactory;
import dev.switchboard.server.config.ConfigProblem;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code switchboard.bridges}, validated: each entry names a bridge, its {@code type} (a
 * {@link BridgeFactory} on the class path), its bounds, its outbound rules and routed events, and the
 * factory's own {@code options}. The keys are documented in {@code switchboard-reference.conf}.
 *
 * @param bridges one per entry, in the order of the configuration
 */
public record BridgeSettings(List<Entry> bridges) {

    /** One configured bridge: its core configuration, the factory of its type and that factory's options. */
    public record Entry(BridgeConfig config, BridgeFactory factory, Config options) {}

    private static final Set<String> ENTRY_KEYS = Set.of("name", "type", "inbound", "outbound", "rooms", "events", "options");
    private static final Set<String> INBOUND_KEYS = Set.of("max-in-flight");
    private static final Set<String> OUTBOUND_KEYS = Set.of("max-in-flight", "timeout");
    private static final Set<String> ROOM_KEYS = Set.of("namespace", "filter");
    private static final Set<String> EVENT_KEYS = Set.of("namespace", "event");

    public BridgeSettings {
        bridges = List.copyOf(bridges);
    }

    /** No bridges (the reference configuration). */
    public static BridgeSettings none() {
        return new BridgeSettings(List.of());
    }

    /** The bridge factories on the class path, by type. */
    static Map<String, BridgeFactory> factories() {
        Map<String, BridgeFactory> byType = new TreeMap<>();
        for (BridgeFactory f : ServiceLoader.load(BridgeFactory.class)) {
            byType.putIfAbsent(f.type(), f);
        }
        return byType;
    }

    /** Reads {@code switchboard.bridges} from the merged configuration. */
    public static BridgeSettings read(Config c) throws ConfigProblem {
        List<? extends ConfigValue> list;
        try {
            list = c.getList("switchboard.bridges");
        } catch (ConfigException e) {
            throw new ConfigProblem("switchboard.bridges: expected a list of {name, type, ...}");
        }
        if (list.isEmpty()) {
            return none();
        }
        Map<String, BridgeFactory> factories = factories();
        Set<String> names = new HashSet<>();
        Set<String> routedEvents = new HashSet<>();
        List<Entry> out = new ArrayList<>();
        int i = 0;
        for (ConfigValue v : list) {
            String key = "switchboard.bridges[" + i++ + "]";
            ConfigObject o = object(v, key, ENTRY_KEYS);
            Config e = o.toConfig();
            String name = text(e, "name", key, true);
            if (!names.add(name)) {
                throw new ConfigProblem(key + ".name: another bridge is named \"" + name + "\"");
            }
            String type = text(e, "type", key, true);
            BridgeFactory factory = factories.get(type);
            if (factory == null) {
                throw new ConfigProblem(key + ".type: no bridge of type \"" + type + "\" on the class path"
                        + (factories.isEmpty() ? " (none is)" : " (known: " + String.join(", ", factories.keySet()) + ")"));
            }
            BridgeConfig.Builder b;
            try {
                b = BridgeConfig.builder(name).supervision(factory.supervision());
            } catch (IllegalArgumentException ex) {
                throw new ConfigProblem(key + ".name: " + ex.getMessage());
            }
            try {
                if (e.hasPath("inbound")) {
                    object(e.getValue("inbound"), key + ".inbound", INBOUND_KEYS);
                    if (e.hasPath("inbound.max-in-flight")) {
                        b.inboundMaxInFlight(e.getInt("inbound.max-in-flight"));
                    }
                }
                if (e.hasPath("outbound")) {
                    object(e.getValue("outbound"), key + ".outbound", OUTBOUND_KEYS);
                    if (e.hasPath("outbound.max-in-flight")) {
                        b.outboundMaxInFlight(e.getInt("outbound.max-in-flight"));
                    }
                    if (e.hasPath("outbound.timeout")) {
                        b.outboundTimeout(e.getDuration("outbound.timeout"));
                    }
                }
            } catch (ConfigException | IllegalArgumentException ex) {
                throw new ConfigProblem(key + ": " + oneLine(ex.getMessage()));
            }
            for (Config room : objects(e, "rooms", key, ROOM_KEYS)) {
                String filter = text(room, "filter", key + ".rooms", true);
                try {
                    b.rule(namespace(room, key + ".rooms"), filter);
                } catch (IllegalArgumentException ex) {
                    throw new ConfigProblem(key + ".rooms: " + ex.getMessage());
                }
            }
            for (Config ev : objects(e, "events", key, EVENT_KEYS)) {
                String ns = namespace(ev, key + ".events");
                String event = text(ev, "event", key + ".events", true);
                if (!routedEvents.add(ns + "\u0000" + event)) {
                    throw new ConfigProblem(key + ".events: event \"" + event + "\" of " + ns + " is already routed to a bridge");
                }
                try {
                    b.event(ns, event);
                } catch (IllegalArgumentException ex) {
                    throw new ConfigProblem(key + ".events: " + ex.getMessage());
                }
            }
            Config options = ConfigFactory.empty();
            if (e.hasPath("options")) {
                options = object(e.getValue("options"), key + ".options", null).toConfig();
            }
            out.add(new Entry(b.build(), factory, options));
        }
        return new BridgeSettings(out);
    }

    private static ConfigObject object(ConfigValue v, String key, Set<String> known) throws ConfigProblem {
        if (!(v instanceof ConfigObject o)) {
            throw new ConfigProblem(key + ": expected an object, found " + v.render());
        }
        if (known != null) {
            for (String k : o.keySet()) {
                if (!known.contains(k)) {
                    throw new ConfigProblem(key + "." + k + ": unknown key (known: " + String.join(", ", new java.util.TreeSet<>(known)) + ")");
                }
            }
        }
        return o;
    }

    private static List<Config> objects(Config e, String path, String key, Set<String> known) throws ConfigProblem {
        if (!e.hasPath(path)) {
            return List.of();
        }
        if (!(e.getValue(path) instanceof ConfigList list)) {
            throw new ConfigProblem(key + "." + path + ": expected a list of objects");
        }
        List<Config> out = new ArrayList<>();
        int i = 0;
        for (ConfigValue v : list) {
            out.add(object(v, key + "." + path + "[" + i++ + "]", known).toConfig());
        }
        return out;
    }

    private static String namespace(Config c, String key) throws ConfigProblem {
        return c.hasPath("namespace") ? text(c, "namespace", key, true) : "/";
    }

    private static String text(Config c, String path, String key, boolean required) throws ConfigProblem {
        if (!c.hasPath(path)) {
            if (required) {
                throw new ConfigProblem(key + "." + path + ": required");
            }
            return null;
        }
        try {
            String s = c.getString(path);
            if (s.isEmpty()) {
                throw new ConfigProblem(key + "." + path + ": cannot be empty");
            }
            return s;
        } catch (ConfigException.WrongType ex) {
            throw new ConfigProblem(key + "." + path + ": expected a string");
        }
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ');
    }
}
