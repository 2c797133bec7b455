package dev.switchboard.server.managed;

import dev.switchboard.server.auth.Identity;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What one client may do in a managed namespace: the namespace's defaults plus what its token grants in
 * the {@code switchboard} claim, {@code {"subscribe": [patterns], "publish": [patterns]}}. Immutable.
 */
final class Permissions {

    /** The claim holding a token's room permissions. */
    static final String CLAIM = "switchboard";

    private final List<RoomPattern> subscribe;
    private final List<RoomPattern> publish;
    private final String sub;

    private Permissions(List<RoomPattern> subscribe, List<RoomPattern> publish, String sub) {
        this.subscribe = subscribe;
        this.publish = publish;
        this.sub = sub;
    }

    /** @param identity the socket's verified token, or null (no authentication) */
    static Permissions of(ManagedSettings.Managed defaults, Identity identity) {
        List<RoomPattern> s = new ArrayList<>();
        List<RoomPattern> p = new ArrayList<>();
        defaults.subscribe().forEach(x -> s.add(new RoomPattern(x)));
        defaults.publish().forEach(x -> p.add(new RoomPattern(x)));
        if (identity != null && identity.claims().get(CLAIM) instanceof Map<?, ?> grant) {
            patterns(grant.get("subscribe"), s);
            patterns(grant.get("publish"), p);
        }
        return new Permissions(List.copyOf(s), List.copyOf(p), identity == null ? null : identity.subject());
    }

    private static void patterns(Object value, List<RoomPattern> into) {
        if (value instanceof String text && !text.isEmpty()) {
            into.add(new RoomPattern(text));
        } else if (value instanceof List<?> l) {
            for (Object o : l) {
                if (o instanceof String text && !text.isEmpty()) {
                    into.add(new RoomPattern(text));
                }
            }
        }
    }

    boolean maySubscribe(String room) {
        return any(subscribe, room);
    }

    boolean mayPublish(String room) {
        return any(publish, room);
    }

    private boolean any(List<RoomPattern> patterns, String room) {
        for (RoomPattern p : patterns) {
            if (p.matches(room, sub)) {
                return true;
            }
        }
        return false;
    }
}
