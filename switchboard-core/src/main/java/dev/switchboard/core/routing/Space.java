package dev.switchboard.core.routing;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One space's state in the {@link SubscriptionRegistry}: its members, rooms and pattern subscriptions.
 * Written only under its monitor, read lock-free (see the registry's class comment for the invariants).
 */
final class Space {
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
