package dev.switchboard.core.routing;

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

    /** See {@link Resolution#resolve}. */
    Batches resolve(String spaceName, Set<String> to, Set<String> exceptRooms, Set<String> exceptIds) {
        Space space = spaces.get(spaceName);
        return space == null ? Batches.EMPTY : Resolution.resolve(space, to, exceptRooms, exceptIds);
    }

}
