package dev.switchboard.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The trie answers as {@link TopicFilter#matches} does, for each filter once, and prunes what it no longer needs. */
class TopicTrieTest {

    private static final EventExecutor LOOP = ImmediateEventExecutor.INSTANCE;

    private final TopicTrie trie = new TopicTrie();

    private static RecordingSubscriber sub(String id) {
        return new RecordingSubscriber(id, LOOP, TestFormats.TEXT);
    }

    /** Subscribers of each matched filter, in match order (a subscriber twice if two of its filters match). */
    private List<Subscriber> match(String topic) {
        List<Groups> groups = new ArrayList<>();
        trie.match(topic, groups);
        List<Subscriber> out = new ArrayList<>();
        for (Groups g : groups) {
            g.byLoop.values().forEach(out::addAll);
        }
        return out;
    }

    @Test
    void overlappingFiltersEachReportTheirSubscribers() {
        var hash = sub("hash");
        var plus = sub("plus");
        var both = sub("both");
        trie.add("sport/#", hash);
        trie.add("sport/+/player1", plus);
        trie.add("sport/#", both);
        trie.add("+/tennis/player1", both);

        assertThat(match("sport/tennis/player1")).containsExactlyInAnyOrder(hash, plus, both, both);
        assertThat(match("sport")).containsExactlyInAnyOrder(hash, both);
        assertThat(match("news/tennis/player1")).containsExactly(both);
        assertThat(match("news")).isEmpty();
        assertThat(trie.add("sport/#", hash)).as("already subscribed").isFalse();
    }

    @Test
    void dollarTopicsAreNotMatchedByAFirstLevelWildcard() {
        var all = sub("all");
        var sys = sub("sys");
        var plusFirst = sub("plusFirst");
        trie.add("#", all);
        trie.add("$SYS/#", sys);
        trie.add("+/uptime", plusFirst);
        assertThat(match("$SYS/uptime")).containsExactly(sys);
        assertThat(match("node/uptime")).containsExactlyInAnyOrder(all, plusFirst);
        assertThat(match("$SYS")).containsExactly(sys);
    }

    @Test
    void aLiteralLevelThatLooksLikeAWildcardIsMatchedOnlyByWildcards() {
        var plus = sub("plus");
        var lit = sub("lit");
        trie.add("a/+", plus);
        trie.add("a/b", lit);
        // A room may be named "a/+": it is a name here, not a filter.
        assertThat(match("a/+")).containsExactly(plus);
        assertThat(match("a/#")).containsExactly(plus);
    }

    @Test
    void removingEverySubscriptionPrunesTheTrieToItsRoot() {
        var a = sub("a");
        var b = sub("b");
        trie.add("x/y/z", a);
        trie.add("x/+/z", a);
        trie.add("x/y/#", b);
        trie.add("x/y/z", b);
        assertThat(trie.nodeCount()).isEqualTo(1 + 6); // x; y, z, # below it; +, z below x
        assertThat(trie.remove("x/y/z", a)).isTrue();
        assertThat(trie.remove("x/y/z", a)).isFalse();
        assertThat(match("x/y/z")).containsExactlyInAnyOrder(a, b, b);
        trie.removeAll(b);
        assertThat(match("x/y/z")).containsExactly(a);
        assertThat(trie.nodeCount()).isEqualTo(1 + 3); // x, +, z
        assertThat(trie.isEmpty()).isFalse();
        assertThat(trie.filtersOf(a)).containsExactly("x/+/z");
        assertThat(trie.remove("x/+/z", a)).isTrue();
        assertThat(trie.isEmpty()).isTrue();
        assertThat(trie.nodeCount()).isEqualTo(1);
        assertThat(match("x/y/z")).isEmpty();
    }

    /**
     * Random filters and topics over a small alphabet (so that they overlap a lot, with empty levels
     * and {@code $} names): the trie finds exactly the filters that {@link TopicFilter#matches} accepts,
     * through adds and removes.
     */
    @Test
    void agreesWithTheReferenceMatcherOnRandomFiltersAndTopics() {
        SplittableRandom rnd = new SplittableRandom(11);
        String[] levels = {"a", "b", "", "$s", "ab"};
        Map<String, RecordingSubscriber> byFilter = new HashMap<>();
        Set<String> subscribed = new HashSet<>();
        int matchesSeen = 0;
        for (int round = 0; round < 3_000; round++) {
            String filter = randomFilter(rnd, levels);
            RecordingSubscriber s = byFilter.computeIfAbsent(filter, f -> sub("f:" + f));
            if (subscribed.contains(filter) && rnd.nextInt(3) == 0) {
                trie.remove(filter, s);
                subscribed.remove(filter);
            } else {
                trie.add(filter, s);
                subscribed.add(filter);
            }
            String topic = randomTopic(rnd, levels);
            List<Subscriber> expected = new ArrayList<>();
            for (String f : subscribed) {
                if (TopicFilter.of(f).matches(topic)) {
                    expected.add(byFilter.get(f));
                }
            }
            matchesSeen += expected.size();
            assertThat(match(topic)).as("filters matching '%s' among %s", topic, subscribed)
                    .containsExactlyInAnyOrderElementsOf(expected);
        }
        assertThat(matchesSeen).as("the random cases do match").isGreaterThan(3_000);
        for (String f : subscribed) {
            trie.remove(f, byFilter.get(f));
        }
        assertThat(trie.nodeCount()).isEqualTo(1);
    }

    private static String randomFilter(SplittableRandom rnd, String[] levels) {
        int n = 1 + rnd.nextInt(4);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append('/');
            }
            int dice = rnd.nextInt(10);
            if (dice < 2) {
                sb.append('+');
            } else if (dice < 3 && i == n - 1) {
                sb.append('#');
            } else {
                sb.append(levels[rnd.nextInt(levels.length)]);
            }
        }
        String f = sb.toString();
        return f.isEmpty() ? "+" : f;
    }

    private static String randomTopic(SplittableRandom rnd, String[] levels) {
        int n = 1 + rnd.nextInt(4);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append('/');
            }
            sb.append(levels[rnd.nextInt(levels.length)]);
        }
        return sb.toString();
    }
}
