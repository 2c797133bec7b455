package dev.switchboard.server.managed;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.switchboard.server.config.ConfigProblem;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Namespaces whose clients manage their own rooms with the {@code switchboard:} protocol
 * ({@code switchboard.managed-namespaces}), with the permissions every client of the namespace has.
 */
public record ManagedSettings(List<Managed> namespaces) {

    /**
     * One managed namespace.
     *
     * @param subscribe room patterns every client may subscribe to (and read presence and history of)
     * @param publish   room patterns every client may publish to
     * @param maxRooms  rooms one socket may be subscribed to through the protocol at once
     */
    public record Managed(String namespace, List<String> subscribe, List<String> publish, int maxRooms) {
        public Managed {
            subscribe = List.copyOf(subscribe);
            publish = List.copyOf(publish);
        }
    }

    public ManagedSettings {
        namespaces = List.copyOf(namespaces);
    }

    public static ManagedSettings none() {
        return new ManagedSettings(List.of());
    }

    public static ManagedSettings read(Config c) throws ConfigProblem {
        String key = "switchboard.managed-namespaces";
        List<? extends Config> list;
        try {
            list = c.getConfigList(key);
        } catch (ConfigException e) {
            throw new ConfigProblem(key + ": expected a list of {namespace, subscribe, publish, max-rooms} objects");
        }
        List<Managed> out = new ArrayList<>();
        Set<String> known = Set.of("namespace", "subscribe", "publish", "max-rooms");
        for (int i = 0; i < list.size(); i++) {
            String k = key + "[" + i + "]";
            Config m = list.get(i);
            for (String f : m.root().keySet()) {
                if (!known.contains(f)) {
                    throw new ConfigProblem(k + "." + f + ": unknown key (known: namespace, subscribe, publish, max-rooms)");
                }
            }
            try {
                String ns = m.hasPath("namespace") ? m.getString("namespace") : "/";
                if (!ns.startsWith("/")) {
                    throw new ConfigProblem(k + ".namespace: must start with '/', found " + ns);
                }
                if (out.stream().anyMatch(o -> o.namespace().equals(ns))) {
                    throw new ConfigProblem(k + ".namespace: " + ns + " is listed twice");
                }
                List<String> sub = m.hasPath("subscribe") ? m.getStringList("subscribe") : List.of();
                List<String> pub = m.hasPath("publish") ? m.getStringList("publish") : List.of();
                for (String p : sub) {
                    new RoomPattern(p);
                }
                for (String p : pub) {
                    new RoomPattern(p);
                }
                int max = m.hasPath("max-rooms") ? m.getInt("max-rooms") : 100;
                if (max < 1 || max > 100_000) {
                    throw new ConfigProblem(k + ".max-rooms: must be between 1 and 100000, found " + max);
                }
                out.add(new Managed(ns, sub, pub, max));
            } catch (ConfigException | IllegalArgumentException e) {
                throw new ConfigProblem(k + ": " + e.getMessage().replaceAll("\\s*\\R\\s*", " "));
            }
        }
        return new ManagedSettings(out);
    }
}
