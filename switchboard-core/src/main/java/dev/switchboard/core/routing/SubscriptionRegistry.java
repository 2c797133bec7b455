package dev.switchboard.core.routing;

import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Space + room to subscribers, grouped by the event loop that owns each subscriber; and space + topic
 * filter to subscribers ({@link TopicTrie}), for pattern subscriptions.
 *
 * <h2>Concurrency model</h2>
 * Each space has one owner of its state: the {@link Space}'s monitor. Every write (join, leave,
 * attach, detach, pattern subscribe and unsubscribe) to a space happens while holding that monitor,
 * so writers of one space are serialised and writers of different spaces never contend. Readers
 * (publishers resolving a publication) never lock: they iterate concurrent sets and walk the
 * {@link TopicTrie}, whose nodes follow the same rule.
 *
 * <p>Invariants, all established under the space's monitor:
 * <ul>
 *   <li>{@code s} is in {@code space.all} iff {@code space.memberRooms} has a key {@code s};</li>
 *   <li>{@code s} is in room {@code r} iff {@code memberRooms.get(s)} contains {@code r};</li>
 *   <li>a pattern subscriber is a member (it is attached to the space, so whole-space publications
 *       reach it); {@code space.patterns} is null iff the space has no pattern subscription, so a
 *       space without any pays one null check per publication for them;</li>
 *   <li>a room (and an event-loop group inside a {@link Groups}) exists iff it is non-empty;</li>
 *   <li>a space is in {@link #spaces} iff it has a member; once removed it is marked {@code removed}
 *       and never written again (a writer that finds it removed looks the space up again).</li>
 * </ul>
 *
 * <p>What a publisher sees: adding or removing one subscriber of one room is a single operation on a
 * {@link ConcurrentHashMap}-backed set, which is linearizable. Iteration over those sets is weakly
 * consistent: it returns every element present for the whole iteration, never one removed before it
 * started, and maybe those added or removed meanwhile. So a subscriber whose {@code unsubscribe}
 * returned before {@code publish} was called is never resolved, and one subscribed throughout the
 * resolution always is. A detach removes the rooms one by one, which a publication racing with it may
 * observe half done; since the two are concurrent either outcome is allowed.
 *
 * <p>Exactly once: a subscriber removed and re-added while a set is iterated can be returned twice
 * (the iterator may meet both the old node and the new one, linked after it), and a union of rooms
 * meets a subscriber once per room. Each room (and each space's set of all members) has a version,
 * odd while a write to it is in progress; a resolution that names several rooms, or that saw its
 * room's version change, deduplicates its result.
 * (Found by {@code RoutingConcurrencyTest}: a subscriber received one publication twice.)
 *
 * <p>Snapshots: each room (and each space's set of all members) caches the per-loop arrays collected
 * at an even version while no write ran. A publication that finds the version unchanged uses the
 * cached arrays: the membership then is exactly what it was when they were taken. Every write clears
 * the cache, so a removed subscriber is not kept alive by it. A broadcast that excludes ids (the sender) uses the
 * snapshot too: the excluded members are counted by id lookup and skipped by the fan-out.
 *
 * <p>Patterns: a publication to room {@code R} reaches the members of {@code R} and the subscribers of
 * every filter matching {@code R}. With patterns in the space it gathers these sources (the room's
 * {@link Groups} and each matching filter's); one source is resolved as a room alone (snapshot path),
 * several are collected and deduplicated, as a union of rooms is. {@code except} rooms exclude their
 * members (room membership, as in Socket.IO), whether they would be reached by room or by pattern;
 * they do not exclude pattern subscribers whose filter matches the excepted room's name.
 */
final class SubscriptionRegistry {

    private final ConcurrentHashMap<String, Space> spaces = new ConcurrentHashMap<>();

    void subscribe(String spaceName, String room, Subscriber s) {
        for (;;) {
            Space space = spaces.computeIfAbsent(spaceName, Space::new);
            synchronized (space) {
                if (space.removed) {
                    continue;
                }
                Set<String> rooms = space.attachLocked(s);
                if (rooms.add(room)) {
                    space.rooms.computeIfAbsent(room, r -> new Groups()).add(s);
                }
                return;
            }
        }
    }

    void attach(String spaceName, Subscriber s) {
        for (;;) {
            Space space = spaces.computeIfAbsent(spaceName, Space::new);
            synchronized (space) {
                if (space.removed) {
                    continue;
                }
                space.attachLocked(s);
                return;
            }
        }
    }

    /** {@code filter} is a valid {@link TopicFilter}. */
    void subscribePattern(String spaceName, String filter, Subscriber s) {
        for (;;) {
            Space space = spaces.computeIfAbsent(spaceName, Space::new);
            synchronized (space) {
                if (space.removed) {
                    continue;
                }
                space.attachLocked(s);
                TopicTrie patterns = space.patterns;
                if (patterns == null) {
                    patterns = new TopicTrie();
                    patterns.add(filter, s);
                    space.patterns = patterns; // published with its first subscription
                } else {
                    patterns.add(filter, s);
                }
                return;
            }
        }
    }

    void unsubscribePattern(String spaceName, String filter, Subscriber s) {
        Space space = spaces.get(spaceName);
        if (space == null) {
            return;
        }
        synchronized (space) {
            TopicTrie patterns = space.patterns;
            if (space.removed || patterns == null || !patterns.remove(filter, s)) {
                return;
            }
            if (patterns.isEmpty()) {
                space.patterns = null;
            }
        }
    }

    void unsubscribe(String spaceName, String room, Subscriber s) {
        Space space = spaces.get(spaceName);
        if (space == null) {
            return;
        }
        synchronized (space) {
            // A removed space has no members left, so there is nothing to remove.
            Set<String> rooms = space.memberRooms.get(s);
            if (space.removed || rooms == null || !rooms.remove(room)) {
                return;
            }
            space.leaveRoomLocked(room, s);
        }
    }

    void detach(String spaceName, Subscriber s) {
        Space space = spaces.get(spaceName);
        if (space == null) {
            return;
        }
        synchronized (space) {
            Set<String> rooms = space.memberRooms.remove(s);
            if (space.removed || rooms == null) {
                return;
            }
            for (String room : rooms) {
                space.leaveRoomLocked(room, s);
            }
            TopicTrie patterns = space.patterns;
            if (patterns != null) {
                patterns.removeAll(s);
                if (patterns.isEmpty()) {
                    space.patterns = null;
                }
            }
            space.all.remove(s);
            space.byId.remove(s.id(), s);
            if (space.memberRooms.isEmpty()) {
                space.removed = true;
                spaces.remove(spaceName, space);
            }
        }
    }

    Set<String> roomsOf(String spaceName, Subscriber s) {
        Space space = spaces.get(spaceName);
        if (space == null) {
            return Set.of();
        }
        synchronized (space) {
            Set<String> rooms = space.memberRooms.get(s);
            return rooms == null ? Set.of() : Set.copyOf(rooms);
        }
    }

    /** The topic filters the subscriber is subscribed to in the space; a snapshot. */
    Set<String> patternsOf(String spaceName, Subscriber s) {
        Space space = spaces.get(spaceName);
        if (space == null) {
            return Set.of();
        }
        synchronized (space) {
            TopicTrie patterns = space.patterns;
            return patterns == null ? Set.of() : patterns.filtersOf(s);
        }
    }

    Set<String> rooms(String spaceName) {
        Space space = spaces.get(spaceName);
        return space == null ? Set.of() : Set.copyOf(space.rooms.keySet());
    }

    /** Spaces with at least one member; a snapshot, for tests and admin views. */
    Set<String> spaces() {
        return Set.copyOf(spaces.keySet());
    }

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
    Batches resolve(String spaceName, Set<String> to, Set<String> exceptRooms, Set<String> exceptIds) {
        Space space = spaces.get(spaceName);
        if (space == null) {
            return Batches.EMPTY;
        }
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

    /** One space's state; see the class comment for who may touch what. */
    private static final class Space {
        final String name;
        /** Guarded by this. */
        boolean removed;
        /** Subscriber to the rooms it is in; guarded by this (writers only, and roomsOf). */
        final Map<Subscriber, Set<String>> memberRooms = new HashMap<>();
        /**
         * Member by id, for {@code exceptIds} on the snapshot path; written under this, read lock-free.
         * Ids are unique among a node's live subscribers (the {@link Subscriber#id()} contract).
         */
        final ConcurrentHashMap<String, Subscriber> byId = new ConcurrentHashMap<>();
        /** Every member, for whole-space publications; written under this, read lock-free. */
        final Groups all = new Groups();
        /** Room name to its members; written under this, read lock-free. */
        final ConcurrentHashMap<String, Groups> rooms = new ConcurrentHashMap<>();
        /** Pattern subscriptions; null iff there are none. Written under this, read lock-free. */
        volatile TopicTrie patterns;

        Space(String name) {
            this.name = name;
        }

        /** Caller holds this. Returns the member's room set, adding the member if new. */
        Set<String> attachLocked(Subscriber s) {
            Set<String> rooms = memberRooms.get(s);
            if (rooms == null) {
                rooms = new HashSet<>(4);
                memberRooms.put(s, rooms);
                byId.put(s.id(), s);
                all.add(s);
            }
            return rooms;
        }

        /** Caller holds this and has removed {@code room} from the member's room set. */
        void leaveRoomLocked(String room, Subscriber s) {
            Groups g = rooms.get(room);
            if (g != null && g.remove(s) && g.isEmpty()) {
                rooms.remove(room, g);
            }
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /**
     * Members of one room (or of a whole space) grouped by event loop, so that resolution produces
     * per-loop batches without a lookup per subscriber. Written only under the owning space's monitor.
     */
    static final class Groups {
        final ConcurrentHashMap<EventExecutor, Set<Subscriber>> byLoop = new ConcurrentHashMap<>(4);
        /** Odd while a write is in progress; written under the space's monitor, read lock-free. */
        volatile long version;
        /** The members at an even {@code version}, or null; any write clears it. */
        volatile Snapshot snapshot;

        void add(Subscriber s) {
            version++;
            try {
                snapshot = null;
                byLoop.computeIfAbsent(s.executor(), e -> ConcurrentHashMap.newKeySet()).add(s);
            } finally {
                version++;
            }
        }

        boolean remove(Subscriber s) {
            EventExecutor loop = s.executor();
            Set<Subscriber> members = byLoop.get(loop);
            if (members == null || !members.contains(s)) {
                return false;
            }
            version++;
            try {
                snapshot = null;
                members.remove(s);
                if (members.isEmpty()) {
                    byLoop.remove(loop, members);
                }
            } finally {
                version++;
            }
            return true;
        }

        boolean contains(Subscriber s) {
            Set<Subscriber> members = byLoop.get(s.executor());
            return members != null && members.contains(s);
        }

        boolean isEmpty() {
            return byLoop.isEmpty();
        }
    }

    /**
     * Immutable per-loop arrays of a {@link Groups}' members at one version, shared read-only by every
     * publication that resolves while the version holds (fan-out tasks only read them).
     */
    static final class Snapshot {
        final long version;
        final EventExecutor[] loops;
        final Subscriber[][] members;

        Snapshot(long version, Batches from) {
            this.version = version;
            this.loops = new EventExecutor[from.count];
            this.members = new Subscriber[from.count][];
            for (int i = 0; i < from.count; i++) {
                Batch b = from.batches[i];
                loops[i] = b.loop;
                members[i] = b.size == b.subscribers.length ? b.subscribers
                        : java.util.Arrays.copyOf(b.subscribers, b.size);
            }
        }

        /** Batches over the shared arrays: a few objects per publication, none per subscriber. */
        Batches batches() {
            Batches out = new Batches();
            for (int i = 0; i < loops.length; i++) {
                out.add(new Batch(loops[i], members[i]));
            }
            return out;
        }
    }

    /**
     * Subscribers of one event loop for one publication; owned by the publishing thread until handed
     * off. Its array may be a {@link Snapshot}'s, shared with other publications: nobody writes into
     * the array once the batch is resolved.
     */
    static final class Batch {
        final EventExecutor loop;
        Subscriber[] subscribers;
        int size;
        /** Index into the publication's encodings per subscriber; null while there is only one format. */
        byte[] format;

        Batch(EventExecutor loop, int capacity) {
            this.loop = loop;
            this.subscribers = new Subscriber[Math.max(capacity, 1)];
        }

        /** Over a snapshot's array, read-only. */
        Batch(EventExecutor loop, Subscriber[] shared) {
            this.loop = loop;
            this.subscribers = shared;
            this.size = shared.length;
        }

        void add(Subscriber s) {
            if (size == subscribers.length) {
                subscribers = java.util.Arrays.copyOf(subscribers, size + (size >> 1) + 1);
            }
            subscribers[size++] = s;
        }
    }

    /** The batches of one publication; few (one per event loop), so a linear search finds a loop's. */
    static final class Batches {
        static final Batches EMPTY = new Batches();

        Batch[] batches = new Batch[4];
        int count;
        /** Ids the fan-out must skip (the batches still hold them); null when none. */
        Set<String> skipIds;
        /** How many members the batches hold that {@link #skipIds} excludes. */
        int skipped;

        boolean skips(Subscriber s) {
            return skipIds != null && skipIds.contains(s.id());
        }

        Batch batchFor(EventExecutor loop, int sizeHint) {
            for (int i = 0; i < count; i++) {
                if (batches[i].loop == loop) {
                    return batches[i];
                }
            }
            Batch b = new Batch(loop, sizeHint);
            add(b);
            return b;
        }

        void add(Batch b) {
            if (count == batches.length) {
                batches = java.util.Arrays.copyOf(batches, count * 2);
            }
            batches[count++] = b;
        }

        /**
         * Drops repeated subscribers, keeping the first; allocates one identity table of about 8 bytes
         * per subscriber (compressed references), only when called.
         */
        void deduplicate() {
            int total = subscriberCount();
            if (total < 2) {
                return;
            }
            Object[] table = new Object[Integer.highestOneBit(total * 2 - 1) << 1];
            int mask = table.length - 1;
            for (int i = 0; i < count; i++) {
                Batch b = batches[i];
                int kept = 0;
                for (int j = 0; j < b.size; j++) {
                    Subscriber s = b.subscribers[j];
                    if (addIdentity(table, mask, s)) {
                        b.subscribers[kept++] = s;
                    }
                }
                java.util.Arrays.fill(b.subscribers, kept, b.size, null);
                b.size = kept;
            }
        }

        /** Open addressing with linear probing; false if {@code o} (by identity) is already in. */
        private static boolean addIdentity(Object[] table, int mask, Object o) {
            int h = System.identityHashCode(o);
            int i = (h ^ (h >>> 16)) * 0x9E3779B1 & mask;
            for (;;) {
                Object at = table[i];
                if (at == null) {
                    table[i] = o;
                    return true;
                }
                if (at == o) {
                    return false;
                }
                i = (i + 1) & mask;
            }
        }

        /** Subscribers the publication is handed to: those in the batches, minus the skipped. */
        int subscriberCount() {
            int n = 0;
            for (int i = 0; i < count; i++) {
                n += batches[i].size;
            }
            return n - skipped;
        }
    }
}
