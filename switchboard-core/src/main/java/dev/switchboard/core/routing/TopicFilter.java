package dev.switchboard.core.routing;

import java.util.Objects;

/**
 * An MQTT topic filter over {@code /}-separated room names (MQTT 3.1.1 section 4.7, MQTT 5.0 section
 * 4.7): {@code +} matches exactly one level (which may be empty), {@code #} matches the rest of the
 * name including the parent level ({@code a/#} matches {@code a}), any other level matches itself.
 * A name starting with {@code $} is not matched by a filter whose first level is a wildcard
 * (section 4.7.2), so {@code #} does not match {@code $SYS/uptime} but {@code $SYS/#} does.
 *
 * <p>Value type, validated when built. {@link #matches} is the reference definition of matching;
 * the router indexes filters in a trie that gives the same answers without looking at each filter.
 *
 * @param value the filter text, at least one character
 */
public record TopicFilter(String value) {

    public static final char SEPARATOR = '/';
    public static final String SINGLE_LEVEL = "+";
    public static final String MULTI_LEVEL = "#";
    /**
     * Most levels a filter may have. MQTT sets no limit; this bounds the depth of the router's trie
     * (and so the recursion of matching, which runs on publishing threads such as event loops). The
     * same default as EMQX's {@code max_topic_levels}; real filters use a handful.
     */
    public static final int MAX_LEVELS = 128;

    /** @throws IllegalArgumentException if {@code value} is not a valid topic filter; the message says why */
    public TopicFilter {
        Objects.requireNonNull(value, "filter");
        String problem = problem(value);
        if (problem != null) {
            throw new IllegalArgumentException("invalid topic filter '" + value + "': " + problem);
        }
    }

    public static TopicFilter of(String value) {
        return new TopicFilter(value);
    }

    /** Whether the filter has a {@code +} or {@code #} level (without one it matches only its own text). */
    public boolean hasWildcard() {
        return value.indexOf('+') >= 0 || value.indexOf('#') >= 0;
    }

    /** Whether this filter matches the room (topic) name {@code topic}, level by level. */
    public boolean matches(String topic) {
        Objects.requireNonNull(topic, "topic");
        boolean wildcardFirst = value.startsWith(SINGLE_LEVEL) || value.startsWith(MULTI_LEVEL);
        if (wildcardFirst && !topic.isEmpty() && topic.charAt(0) == '$') {
            return false;
        }
        int f = 0; // start of the current filter level
        int t = 0; // start of the current topic level; topic.length() + 1 once the topic has no level left
        for (;;) {
            int fEnd = end(value, f);
            String level = value.substring(f, fEnd);
            if (level.equals(MULTI_LEVEL)) {
                return true; // the rest, zero or more levels
            }
            if (t > topic.length()) {
                return false; // the filter has a level the topic lacks
            }
            int tEnd = end(topic, t);
            if (!level.equals(SINGLE_LEVEL)
                    && (tEnd - t != level.length() || !topic.regionMatches(t, level, 0, level.length()))) {
                return false;
            }
            f = fEnd + 1;
            t = tEnd + 1;
            if (f > value.length()) {
                return t > topic.length(); // both ended, or the topic has levels left
            }
        }
    }

    @Override
    public String toString() {
        return value;
    }

    /** End (exclusive) of the level starting at {@code from}. */
    private static int end(String s, int from) {
        int slash = s.indexOf(SEPARATOR, from);
        return slash < 0 ? s.length() : slash;
    }

    /** Why {@code value} is not a valid filter, or null if it is. */
    static String problem(String value) {
        if (value.isEmpty()) {
            return "a topic filter has at least one character (MQTT 4.7.3)";
        }
        if (value.indexOf('\0') >= 0) {
            return "a topic filter must not contain U+0000 (MQTT 4.7.3)";
        }
        int from = 0;
        for (int levels = 1; ; levels++) {
            if (levels > MAX_LEVELS) {
                return "more than " + MAX_LEVELS + " levels (the router's bound on a filter's depth)";
            }
            int to = end(value, from);
            for (int i = from; i < to; i++) {
                char c = value.charAt(i);
                if (c == '#' && (to - from != 1 || to != value.length())) {
                    return to - from != 1
                            ? "'#' must occupy a whole level (MQTT 4.7.1.2)"
                            : "'#' must be the last level (MQTT 4.7.1.2)";
                }
                if (c == '+' && to - from != 1) {
                    return "'+' must occupy a whole level (MQTT 4.7.1.3)";
                }
            }
            if (to == value.length()) {
                return null;
            }
            from = to + 1;
        }
    }
}
