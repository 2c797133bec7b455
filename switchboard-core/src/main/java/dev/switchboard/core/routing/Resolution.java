package dev.switchboard.core.routing;

import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The reading side of the {@link SubscriptionRegistry}: resolves a publication into per-event-loop
 * batches, lock-free, from a space's rooms, snapshots and pattern trie (see the registry's class comment
 * for what a reader may see while writers run, and why some results are deduplicated).
 */
final class Resolution {

    private Resolution() {}

    /**
     * Resolves a publication into per-event-loop batches; lock-free. The subscribers of {@code to}
     * (every member of the space when empty), by room and by pattern, minus the members of the
     * {@code exceptRooms} and the subscribers whose id is in {@code exceptIds}; each at most once.
     *
     * <p>The common publication (one room or the whole space, no exclusions) uses the room's cached
     * {@link Snapshot} when no write has touched the room since it was taken: no allocation per
     * subscriber, and a sequential array to walk. Otherwise it collects fresh batches (one array per
     * event loop, 4 or 8 bytes a subscriber), caching them when the room did not change meanwhile,
     * plus an identity table when a subscriber could appear twice (see {@link #mayRepeat}).
     */
    static Batches resolve(Space space, Set<String> to, Set<String> exceptRooms, Set<String> exceptIds) {
        Groups[] except = groupsOf(space, exceptRooms);
        if (to.isEmpty()) {
            return resolveOne(space, space.all, except, exceptIds);
        }
        TopicTrie patterns = space.patterns;
        if (patterns != null) {
            return resolveWithPatterns(space, patterns, to, except, exceptIds);
        }
        if (to.size() > 1) {
            // A union of rooms holds a subscriber once per room it is in.
            Batches out = new Batches();
            for (String name : to) {
                Groups room = space.rooms.get(name);
                if (room != null) {
                    collect(room, except, exceptIds, out);
                }
            }
            out.deduplicate();
            return out;
        }
        Groups room = space.rooms.get(to.iterator().next());
        return room == null ? Batches.EMPTY : resolveOne(space, room, except, exceptIds);
    }

    /** The members of one room (or of the space, or of one filter), from its snapshot when it can. */
    private static Batches resolveOne(Space space, Groups source, Groups[] except, Set<String> exceptIds) {
        if (except == null) {
            Batches cached = fromSnapshot(space, source, exceptIds);
            if (cached != null) {
                return cached;
            }
            // The room changed while we looked: collect afresh.
        }
        Batches out = new Batches();
        long before = source.version;
        collect(source, except, exceptIds, out);
        if (mayRepeat(before, source.version)) {
            out.deduplicate();
        }
        return out;
    }

    /**
     * The rooms' members and the subscribers of every filter matching a room's name. A single source
     * (a room nobody matches by pattern, or one filter and no room) takes the one-room path.
     */
    private static Batches resolveWithPatterns(Space space, TopicTrie patterns, Set<String> to, Groups[] except,
            Set<String> exceptIds) {
        List<Groups> sources = new ArrayList<>(4);
        for (String name : to) {
            Groups room = space.rooms.get(name);
            if (room != null) {
                sources.add(room);
            }
            patterns.match(name, sources);
        }
        if (sources.isEmpty()) {
            return Batches.EMPTY;
        }
        if (sources.size() == 1) {
            return resolveOne(space, sources.get(0), except, exceptIds);
        }
        // A subscriber in the room and matching a filter, or matching several, is met once per source.
        Batches out = new Batches();
        for (Groups g : sources) {
            collect(g, except, exceptIds, out);
        }
        out.deduplicate();
        return out;
    }

    /**
     * Whether a concurrent iteration between two reads of a version may have met a subscriber twice:
     * a subscriber removed and re-added while a set is iterated can be returned twice (the re-added
     * node may be linked after the iterator's position). Not if no write ran meanwhile.
     */
    private static boolean mayRepeat(long before, long after) {
        return (before & 1) != 0 || after != before;
    }

    /**
     * The members of {@code g} as batches over its snapshot (taken now if it has none at the current
     * version), with {@code exceptIds} left for the fan-out to skip and counted out here; null if a
     * write to {@code g} ran meanwhile.
     */
    private static Batches fromSnapshot(Space space, Groups g, Set<String> exceptIds) {
        long v = g.version;
        if ((v & 1) != 0) {
            return null;
        }
        Snapshot snapshot = g.snapshot;
        if (snapshot == null || snapshot.version != v) {
            snapshot = take(g, v);
            if (snapshot == null) {
                return null;
            }
        }
        Batches out = snapshot.batches();
        if (!exceptIds.isEmpty()) {
            // Excluded members are counted here (a lookup per excluded id) and skipped by the fan-out;
            // the version check below makes the count exact for the snapshot's membership.
            int excluded = 0;
            for (String id : exceptIds) {
                Subscriber x = space.byId.get(id);
                if (x != null && g.contains(x)) {
                    excluded++;
                }
            }
            if (g.version != v) {
                return null;
            }
            out.skipIds = exceptIds;
            out.skipped = excluded;
        }
        return out;
    }

    /** Collects {@code g} and caches it as its snapshot at version {@code v}; null if a write ran meanwhile. */
    private static Snapshot take(Groups g, long v) {
        Batches fresh = new Batches();
        collect(g, null, Set.of(), fresh);
        if (g.version != v) {
            return null;
        }
        // No write ran during the collection: it is exactly the membership at version v.
        Snapshot taken = new Snapshot(v, fresh);
        g.snapshot = taken;
        if (g.version != v) {
            // A write slipped in after the check: do not keep (and pin) members it may have removed.
            g.snapshot = null;
        }
        return taken;
    }

    private static Groups[] groupsOf(Space space, Set<String> names) {
        if (names.isEmpty()) {
            return null;
        }
        List<Groups> found = new ArrayList<>(names.size());
        for (String name : names) {
            Groups g = space.rooms.get(name);
            if (g != null) {
                found.add(g);
            }
        }
        return found.isEmpty() ? null : found.toArray(new Groups[0]);
    }

    private static void collect(Groups from, Groups[] except, Set<String> exceptIds, Batches out) {
        boolean filterIds = !exceptIds.isEmpty();
        for (Map.Entry<EventExecutor, Set<Subscriber>> group : from.byLoop.entrySet()) {
            Set<Subscriber> members = group.getValue();
            Batch batch = out.batchFor(group.getKey(), members.size());
            for (Subscriber s : members) {
                if (filterIds && exceptIds.contains(s.id())) {
                    continue;
                }
                if (except != null && inAny(except, s)) {
                    continue;
                }
                batch.add(s);
            }
        }
    }

    private static boolean inAny(Groups[] groups, Subscriber s) {
        for (Groups g : groups) {
            if (g.contains(s)) {
                return true;
            }
        }
        return false;
    }
}
