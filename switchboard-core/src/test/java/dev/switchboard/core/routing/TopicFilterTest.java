package dev.switchboard.core.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Matching and validation as MQTT 3.1.1 section 4.7 (and MQTT 5.0 section 4.7) state them, with their examples. */
class TopicFilterTest {

    @ParameterizedTest(name = "{0} matches {1}: {2}")
    @CsvSource({
        // 4.7.1.2 multi-level wildcard
        "sport/tennis/player1/#, sport/tennis/player1, true",
        "sport/tennis/player1/#, sport/tennis/player1/ranking, true",
        "sport/tennis/player1/#, sport/tennis/player1/score/wimbledon, true",
        "sport/#, sport, true",
        "#, sport/tennis, true",
        "#, sport, true",
        "sport/tennis/#, sport/tennis, true",
        "sport/tennis/#, sport/tennisplayer1, false",
        // 4.7.1.3 single-level wildcard
        "sport/tennis/+, sport/tennis/player1, true",
        "sport/tennis/+, sport/tennis/player2, true",
        "sport/tennis/+, sport/tennis/player1/ranking, false",
        "sport/+, sport, false",
        "sport/+, sport/, true",
        "+/+, /finance, true",
        "/+, /finance, true",
        "+, /finance, false",
        "+/tennis/#, sport/tennis/player1, true",
        "+/tennis/#, sport/tennis, true",
        "+/tennis/#, sport/golf, false",
        // 4.7.2 topics beginning with $
        "#, $SYS/monitor/Clients, false",
        "+/monitor/Clients, $SYS/monitor/Clients, false",
        "$SYS/#, $SYS/monitor/Clients, true",
        "$SYS/monitor/+, $SYS/monitor/Clients, true",
        "+, $SYS, false",
        "$SYS, $SYS, true",
        "a/+/c, a/$x/c, true", // only the first level is special
        // 4.7.3 topic names are case sensitive; levels compare whole
        "ACCOUNTS, Accounts, false",
        "a/b, a/b, true",
        "a/b, a/bc, false",
        "a/bc, a/b, false",
        "a/b, a/b/c, false",
        "a/b/c, a/b, false",
        "a/+/+, a/b, false",
        "a/+/#, a/b, true",
        "a//c, a//c, true",
        "a/+/c, a//c, true",
    })
    void matchesAsTheSpecificationSays(String filter, String topic, boolean expected) {
        assertThat(TopicFilter.of(filter).matches(topic)).isEqualTo(expected);
    }

    @Test
    void aFilterWithoutWildcardsMatchesOnlyItself() {
        TopicFilter f = TopicFilter.of("room-7");
        assertThat(f.hasWildcard()).isFalse();
        assertThat(f.matches("room-7")).isTrue();
        assertThat(f.matches("room-70")).isFalse();
        assertThat(f.matches("room")).isFalse();
        assertThat(TopicFilter.of("a/+").hasWildcard()).isTrue();
        assertThat(TopicFilter.of("#").hasWildcard()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"#", "+", "+/+", "/", "//", "a/#", "+/tennis/#", "sport/+/player1", "$SYS/#", " ", "a b/c"})
    void validFilters(String filter) {
        assertThat(TopicFilter.of(filter).value()).isEqualTo(filter);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
        "sport/tennis#|'#' must occupy a whole level",
        "sport/tennis/#/ranking|'#' must be the last level",
        "#/a|'#' must be the last level",
        "a#|'#' must occupy a whole level",
        "sport+|'+' must occupy a whole level",
        "sport/+tennis|'+' must occupy a whole level",
        "++|'+' must occupy a whole level",
    })
    void invalidFiltersAreRefusedWithTheReason(String filter, String reason) {
        assertThatThrownBy(() -> TopicFilter.of(filter))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid topic filter '" + filter + "'")
                .hasMessageContaining(reason)
                .hasMessageContaining("MQTT 4.7.1");
    }

    @Test
    void emptyAndNulCharacterAndTooDeepAreRefused() {
        assertThatThrownBy(() -> TopicFilter.of("")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one character");
        assertThatThrownBy(() -> TopicFilter.of("a\0b")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("U+0000");
        String deepest = "a/".repeat(TopicFilter.MAX_LEVELS - 1) + "#";
        assertThat(TopicFilter.of(deepest).matches("a/".repeat(TopicFilter.MAX_LEVELS - 1) + "x/y/z")).isTrue();
        assertThatThrownBy(() -> TopicFilter.of("a/" + deepest)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("more than " + TopicFilter.MAX_LEVELS + " levels");
    }
}
