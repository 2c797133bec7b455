package dev.switchboard.server.managed;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RoomPatternTest {

    @Test
    void globsAndTheUsersOwnRoom() {
        assertThat(new RoomPattern("public-*").matches("public-news", "ann")).isTrue();
        assertThat(new RoomPattern("public-*").matches("private-news", "ann")).isFalse();
        assertThat(new RoomPattern("room-?").matches("room-1", null)).isTrue();
        assertThat(new RoomPattern("room-?").matches("room-10", null)).isFalse();
        assertThat(new RoomPattern("user:{sub}").matches("user:ann", "ann")).isTrue();
        assertThat(new RoomPattern("user:{sub}").matches("user:bob", "ann")).isFalse();
        assertThat(new RoomPattern("user:{sub}").matches("user:ann", null)).as("no verified user").isFalse();
        assertThat(new RoomPattern("user:{sub}/*").matches("user:ann/inbox", "ann")).isTrue();
        // Regex characters are literal, in patterns and in user ids.
        assertThat(new RoomPattern("a.b").matches("axb", null)).isFalse();
        assertThat(new RoomPattern("user:{sub}").matches("user:anything", ".*")).isFalse();
        assertThat(new RoomPattern("user:{sub}").matches("user:.*", ".*")).isTrue();
    }
}
