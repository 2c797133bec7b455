package dev.switchboard.socketio;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

class CowListTest {

    @Test
    void addsRemovesAndIteratesASnapshot() {
        CowList<String> list = new CowList<>();
        assertThat(list).isEmpty();
        list.add("a");
        list.add("b");
        list.add("a");
        assertThat(list).containsExactly("a", "b", "a");

        Iterator<String> before = list.iterator();
        assertThat(list.remove("a")).isTrue(); // the first equal element only
        assertThat(list.remove("x")).isFalse();
        assertThat(list).containsExactly("b", "a");
        List<String> seen = new ArrayList<>();
        before.forEachRemaining(seen::add);
        assertThat(seen).containsExactly("a", "b", "a"); // the iterator kept its snapshot

        list.remove("b");
        list.remove("a");
        assertThat(list).isEmpty();
        assertThat(list.size()).isZero();
    }

    @Test
    void handshakeTimeIsSharedWithinASecondAndFormattedAsJavaScriptDoes() {
        String t1 = SocketImpl.jsTime(1_700_000_000_100L);
        String t2 = SocketImpl.jsTime(1_700_000_000_900L);
        String t3 = SocketImpl.jsTime(1_700_000_001_000L);
        assertThat(t2).isSameAs(t1);
        assertThat(t3).isNotEqualTo(t1);
        // Date.prototype.toString(): "Tue Nov 14 2023 22:13:20 GMT+0000 (Coordinated Universal Time)" in UTC
        assertThat(t1).matches("\\w{3} \\w{3} \\d{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT[+-]\\d{4} \\(.+\\)");
    }
}
