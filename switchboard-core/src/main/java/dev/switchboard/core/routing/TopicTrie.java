package dev.switchboard.core.routing;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The pattern subscriptions of one space: {@link TopicFilter}s indexed level by level, so that the
 * filters matching a room name are found by walking the name's levels, whatever the number of rooms
 * and of filters that do not match. A node per filter level; {@code +} and {@code #} are a node's two
 * wildcard children, other levels its literal children; the node where a filter ends holds that
 * filter's subscribers as {@link Groups} (by event loop, versioned, with a cached snapshot, exactly as
 * a room's), so a publication uses a filter's members as it uses a room's.
 *
 * <h2>Concurrency model</h2>
 * The registry's: the trie has no lock of its own. Every write ({@link #add}, {@link #remove},
 * {@link #removeAll}) is made while the caller holds the owning space's monitor, so writers are
 * serialised; {@link #match} runs lock-free on publishing threads, reading volatile fields and
 * {@link ConcurrentHashMap}s.
 *
 * <p>States of a node: <em>linked</em> (reachable from the root) or <em>pruned</em> (unlinked from its
 * parent once it has neither subscribers nor children). Writers always walk from the root under the
 * monitor, so a pruned node is never written again; a reader that was already inside it sees at most
 * the members it had, as a reader of a removed room does.
 *
 * <p>Invariants, all established under the space's monitor:
 * <ul>
 *   <li>filter {@code f} is in {@code filtersOf.get(s)} iff {@code s} is in the {@link Groups} of the
 *       node where {@code f} ends; {@code filtersOf} has no empty set;</li>
 *   <li>a node's {@code subscribers} is null iff it has no member; a non-root node is linked iff it
 *       has a member or a linked child, so the trie holds at most one node per level of each
 *       subscribed filter and nothing for rooms or publications;</li>
 *   <li>the trie is empty iff {@code filtersOf} is empty (the space then drops it, see
 *       {@code Space#patterns}).</li>
 * </ul>
 *
 * <p>What a publisher sees: a subscription becomes visible when its subscriber is added to the
 * filter's {@link Groups} (after the path to it is linked), and invisible when it is removed from
 * them; both are linearizable set operations, so a subscription whose call returned before the
 * publication started is always seen, and one removed before it started never is.
 *
 * <p>Cost of {@link #match}: one hash lookup and one substring per topic level on each path that can
 * still match (the literal path, plus one per {@code +} branch), and one list entry per matching
 * filter; independent of the space's rooms. Depth is bounded by {@link TopicFilter#MAX_LEVELS}.
 */
final class TopicTrie {

    private final Node root = new Node();
    /** Each subscriber's filters; guarded by the owning space's monitor. */
    private final Map<Subscriber, Set<String>> filtersOf = new HashMap<>();

    /** Caller holds the space's monitor. Adds {@code s} to {@code filter} (validated); false if it was there. */
    boolean add(String filter, Subscriber s) {
        Set<String> filters = filtersOf.computeIfAbsent(s, k -> new HashSet<>(4));
        if (!filters.add(filter)) {
            return false;
        }
        Node node = root;
        int from = 0;
        while (from <= filter.length()) {
            int end = levelEnd(filter, from);
            node = node.childForWrite(filter.substring(from, end));
            from = end + 1;
        }
        Groups g = node.subscribers;
        if (g == null) {
            g = new Groups();
            node.subscribers = g;
        }
        g.add(s);
        return true;
    }

    /** Caller holds the space's monitor. Removes {@code s} from {@code filter}; false if it was not there. */
    boolean remove(String filter, Subscriber s) {
        Set<String> filters = filtersOf.get(s);
        if (filters == null || !filters.remove(filter)) {
            return false;
        }
        if (filters.isEmpty()) {
            filtersOf.remove(s);
        }
        removeBelow(root, filter, 0, s);
        return true;
    }

    /** Caller holds the space's monitor. Removes every pattern subscription of {@code s}. */
    void removeAll(Subscriber s) {
        Set<String> filters = filtersOf.remove(s);
        if (filters != null) {
            for (String filter : filters) {
                removeBelow(root, filter, 0, s);
            }
        }
    }

    /** Caller holds the space's monitor. */
    boolean isEmpty() {
        return filtersOf.isEmpty();
    }

    /** Caller holds the space's monitor. The filters of {@code s}; a copy. */
    Set<String> filtersOf(Subscriber s) {
        Set<String> filters = filtersOf.get(s);
        return filters == null ? Set.of() : Set.copyOf(filters);
    }

    /** Caller holds the space's monitor. Linked nodes, the root included; tests check pruning with it. */
    int nodeCount() {
        return count(root);
    }

    private static int count(Node node) {
        int n = 1;
        if (node.plus != null) {
            n += count(node.plus);
        }
        if (node.hash != null) {
            n += count(node.hash);
        }
        ConcurrentHashMap<String, Node> l = node.literals;
        if (l != null) {
            for (Node child : l.values()) {
                n += count(child);
            }
        }
        return n;
    }

    /**
     * Adds to {@code out} the subscribers ({@link Groups}) of every filter that matches the room name
     * {@code topic}, once per filter; lock-free. Names starting with {@code $} are not matched by
     * filters whose first level is a wildcard (MQTT 4.7.2).
     */
    void match(String topic, List<Groups> out) {
        boolean wildcards = topic.isEmpty() || topic.charAt(0) != '$';
        match(root, topic, 0, wildcards, out);
    }

    /**
     * {@code from} is where the topic's next level starts, or {@code topic.length() + 1} when the
     * topic has no level left. Recursion depth is at most the trie's depth plus one.
     */
    private static void match(Node node, String topic, int from, boolean wildcards, List<Groups> out) {
        if (from > topic.length()) {
            addMembers(node.subscribers, out);
            Node hash = node.hash;
            if (hash != null) {
                addMembers(hash.subscribers, out); // "a/#" matches "a"
            }
            return;
        }
        int end = levelEnd(topic, from);
        if (wildcards) {
            Node hash = node.hash;
            if (hash != null) {
                addMembers(hash.subscribers, out);
            }
            Node plus = node.plus;
            if (plus != null) {
                match(plus, topic, end + 1, true, out);
            }
        }
        ConcurrentHashMap<String, Node> literals = node.literals;
        if (literals != null) {
            // A one-level topic is its own level: no substring.
            Node child = literals.get(from == 0 && end == topic.length() ? topic : topic.substring(from, end));
            if (child != null) {
                match(child, topic, end + 1, true, out);
            }
        }
    }

    private static void addMembers(Groups g, List<Groups> out) {
        if (g != null) {
            out.add(g);
        }
    }

    /** Removes {@code s} where {@code filter} ends below {@code node}; true if {@code node} is now prunable. */
    private static boolean removeBelow(Node node, String filter, int from, Subscriber s) {
        if (from > filter.length()) {
            Groups g = node.subscribers;
            if (g != null && g.remove(s) && g.isEmpty()) {
                node.subscribers = null;
            }
        } else {
            int end = levelEnd(filter, from);
            String level = filter.substring(from, end);
            Node child = node.child(level);
            if (child != null && removeBelow(child, filter, end + 1, s)) {
                node.unlink(level, child);
            }
        }
        return node.subscribers == null && node.isLeaf();
    }

    /** End (exclusive) of the level starting at {@code from}. */
    private static int levelEnd(String s, int from) {
        int slash = s.indexOf(TopicFilter.SEPARATOR, from);
        return slash < 0 ? s.length() : slash;
    }

    /** One level of the trie. Fields written under the space's monitor, read lock-free. */
    private static final class Node {
        /** Members of the filter ending here, or null if none. */
        volatile Groups subscribers;
        /** The {@code +} child. */
        volatile Node plus;
        /** The {@code #} child; a filter ends there ({@code #} is always last). */
        volatile Node hash;
        /** Literal levels; null until the first. */
        volatile ConcurrentHashMap<String, Node> literals;

        Node child(String level) {
            if (level.equals(TopicFilter.SINGLE_LEVEL)) {
                return plus;
            }
            if (level.equals(TopicFilter.MULTI_LEVEL)) {
                return hash;
            }
            ConcurrentHashMap<String, Node> l = literals;
            return l == null ? null : l.get(level);
        }

        /** Caller holds the monitor. The child for {@code level}, linked first if missing. */
        Node childForWrite(String level) {
            Node child = child(level);
            if (child != null) {
                return child;
            }
            child = new Node();
            if (level.equals(TopicFilter.SINGLE_LEVEL)) {
                plus = child;
            } else if (level.equals(TopicFilter.MULTI_LEVEL)) {
                hash = child;
            } else {
                ConcurrentHashMap<String, Node> l = literals;
                if (l == null) {
                    l = new ConcurrentHashMap<>(4);
                    literals = l;
                }
                l.put(level, child);
            }
            return child;
        }

        /** Caller holds the monitor. */
        void unlink(String level, Node child) {
            if (plus == child) {
                plus = null;
            } else if (hash == child) {
                hash = null;
            } else {
                ConcurrentHashMap<String, Node> l = literals;
                if (l != null && l.remove(level, child) && l.isEmpty()) {
                    literals = null;
                }
            }
        }

        boolean isLeaf() {
            return plus == null && hash == null && literals == null;
        }
    }
}
