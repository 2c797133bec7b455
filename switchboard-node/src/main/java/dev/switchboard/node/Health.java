package dev.switchboard.node;

import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The health of a node's supervised components, for readiness endpoints and admin views.
 *
 * <p>Written by the supervision tree's actors (each component's entry by that component's actor and
 * its parent), read from any thread. Each entry is replaced whole, so a reader sees a consistent
 * status per component; the set as a whole is a weakly consistent view.
 */
public final class Health {

    /** The node as a whole. */
    public enum Overall {
        /** Every component is up (or there are none). */
        UP,
        /** None failed for good, but some are starting or recovering. */
        DEGRADED,
        /** At least one component failed past its limit. */
        DOWN
    }

    private final ConcurrentHashMap<String, ComponentStatus> components = new ConcurrentHashMap<>();
    private final Clock clock;

    Health(Clock clock) {
        this.clock = clock;
    }

    /** Every registered component, sorted by name; a snapshot. */
    public List<ComponentStatus> components() {
        return components.values().stream().sorted(Comparator.comparing(ComponentStatus::name)).toList();
    }

    public Optional<ComponentStatus> component(String name) {
        return Optional.ofNullable(components.get(name));
    }

    public Overall overall() {
        Overall o = Overall.UP;
        for (ComponentStatus s : components.values()) {
            if (s.state() == ComponentStatus.State.FAILED) {
                return Overall.DOWN;
            }
            if (s.state() != ComponentStatus.State.UP) {
                o = Overall.DEGRADED;
            }
        }
        return o;
    }

    /**
     * Whether the node should receive traffic: true unless a component failed for good. A component
     * that is recovering does not make the node unready: the rest keeps serving while it backs off.
     */
    public boolean isReady() {
        return overall() != Overall.DOWN;
    }

    // ---- written by the supervision tree ----

    /** Registers a new component as STARTING; false if the name is taken. */
    boolean register(String name) {
        return components.putIfAbsent(name, new ComponentStatus(name, ComponentStatus.State.STARTING, 0, null,
                clock.instant())) == null;
    }

    void unregister(String name) {
        components.remove(name);
    }

    void starting(String name) {
        transition(name, ComponentStatus.State.STARTING, null);
    }

    void up(String name) {
        transition(name, ComponentStatus.State.UP, null);
    }

    void recovering(String name, Throwable cause) {
        transition(name, ComponentStatus.State.RECOVERING, cause);
    }

    void failed(String name, Throwable cause) {
        transition(name, ComponentStatus.State.FAILED, cause);
    }

    private void transition(String name, ComponentStatus.State state, Throwable cause) {
        components.computeIfPresent(name, (n, old) -> {
            if (old.state() == ComponentStatus.State.FAILED) {
                return old; // terminal
            }
            int failures = old.failures() + (cause != null && old.state() != ComponentStatus.State.RECOVERING ? 1 : 0);
            String error = cause == null ? old.lastError() : describe(cause);
            return new ComponentStatus(n, state, failures, error, clock.instant());
        });
    }

    static String describe(Throwable t) {
        Throwable root = t instanceof ComponentFailure && t.getCause() != null ? t.getCause() : t;
        return root.getClass().getName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }
}
