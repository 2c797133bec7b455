package dev.switchboard.core.durable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.core.spi.RetentionPolicy;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurableRoomsTest {

    private final RetentionPolicy day = RetentionPolicy.newBuilder().maxAge(Duration.ofDays(1)).build();
    private final RetentionPolicy hundred = RetentionPolicy.newBuilder().maxMessages(100).build();

    private final DurableRooms rooms = DurableRooms.newBuilder()
            .add("/chat", "vip-*", day)
            .add("/chat", "*", hundred)
            .add("/game?", "table.*", hundred)
            .build();

    @Test
    void theFirstMatchingRuleDecides() {
        assertThat(rooms.match("/chat", "vip-1")).contains(day);
        assertThat(rooms.match("/chat", "general")).contains(hundred);
        assertThat(rooms.match("/game1", "table.7")).contains(hundred);
        assertThat(rooms.match("/game12", "table.7")).isEmpty();
        assertThat(rooms.match("/other", "vip-1")).isEmpty();
        assertThat(rooms.isDurable("/", "anything")).isFalse();
        assertThat(DurableRooms.none().isDurable("/chat", "x")).isFalse();
    }

    @Test
    void globCharactersOtherThanStarAndQuestionMarkAreLiteral() {
        DurableRooms r = DurableRooms.newBuilder().add("/", "a.b[c]+", hundred).build();
        assertThat(r.isDurable("/", "a.b[c]+")).isTrue();
        assertThat(r.isDurable("/", "aXb[c]+")).isFalse();
        assertThat(r.isDurable("/", "a.bc")).isFalse();
    }

    @Test
    void streamNamesMapBackToTheirRoomsRetention() {
        assertThat(DurableRooms.streamName("/chat", "vip-1")).isEqualTo("/chat#vip-1");
        var retention = rooms.retentionByStream(RetentionPolicy.unlimited());
        assertThat(retention.apply(DurableRooms.streamName("/chat", "vip-#1"))).isEqualTo(day);
        assertThat(retention.apply(DurableRooms.streamName("/chat", "x"))).isEqualTo(hundred);
        assertThat(retention.apply("not-a-room")).isEqualTo(RetentionPolicy.unlimited());
        assertThatThrownBy(() -> DurableRooms.streamName("/a#b", "r")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DurableRooms.newBuilder().add("/a#b", "*", day)).isInstanceOf(IllegalArgumentException.class);
    }
}
