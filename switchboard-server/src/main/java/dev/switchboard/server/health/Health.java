package dev.switchboard.server.health;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The readiness of every component the server supervises, as {@code /health/ready} reports it. A
 * component registers a probe; the server is ready only when every probe says up. Probes are asked on
 * each request, so they must be cheap and non-blocking.
 */
public final class Health {

    /** A component's state with a short reason when it is not up. */
    public record Status(boolean healthy, String detail) {
        public static Status up() {
            return new Status(true, "up");
        }

        public static Status down(String detail) {
            return new Status(false, detail);
        }
    }

    private final Map<String, Supplier<Status>> probes = new ConcurrentHashMap<>();
    private final java.util.List<Supplier<Map<String, Status>>> sources = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Set<String> required;

    /** @param required components that must have registered before the server can be ready */
    public Health(Set<String> required) {
        this.required = Set.copyOf(required);
    }

    public void register(String component, Supplier<Status> probe) {
        probes.put(component, probe);
    }

    /** Adds a set of components reported together (the core's supervision tree). */
    public void registerAll(Supplier<Map<String, Status>> source) {
        sources.add(source);
    }

    /** Each component's status, sorted by name; a required component not yet registered is down ("starting"). */
    public Map<String, Status> snapshot() {
        Map<String, Status> out = new TreeMap<>();
        for (String r : required) {
            out.put(r, Status.down("starting"));
        }
        probes.forEach((name, probe) -> {
            Status s;
            try {
                s = probe.get();
            } catch (RuntimeException e) {
                s = Status.down(e.toString());
            }
            out.put(name, s);
        });
        for (Supplier<Map<String, Status>> source : sources) {
            out.putAll(source.get());
        }
        return out;
    }

    public boolean ready() {
        return snapshot().values().stream().allMatch(Status::healthy);
    }
}
