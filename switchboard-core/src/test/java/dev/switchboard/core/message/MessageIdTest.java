package dev.switchboard.core.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MessageIdTest {

    @Test
    void theStringFormIs26Base32CharactersAndParsesBack() {
        for (int i = 0; i < 1000; i++) {
            MessageId id = MessageId.random();
            String s = id.toString();
            assertThat(s).hasSize(26).matches("[0-7][0-9A-HJKMNP-TV-Z]{25}");
            assertThat(MessageId.parse(s)).isEqualTo(id);
            assertThat(MessageId.parse(s.toLowerCase())).isEqualTo(id);
        }
        MessageId max = MessageId.of(-1L, -1L);
        assertThat(MessageId.parse(max.toString())).isEqualTo(max);
        assertThat(MessageId.of(0, 0).toString()).isEqualTo("0".repeat(26));
    }

    @Test
    void idsAreUniqueAndCarryTheirTime() {
        long before = System.currentTimeMillis();
        Set<MessageId> seen = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            assertThat(seen.add(MessageId.random())).isTrue();
        }
        MessageId id = MessageId.random();
        assertThat(id.timestamp()).isBetween(before, System.currentTimeMillis());
    }

    @Test
    void badStringsAreRefused() {
        assertThatThrownBy(() -> MessageId.parse("short")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MessageId.parse("8" + "0".repeat(25))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MessageId.parse("U" + "0".repeat(25))).isInstanceOf(IllegalArgumentException.class);
    }
}
