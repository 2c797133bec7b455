package dev.switchboard.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.cluster.backplane.BackplaneFrame;
import dev.switchboard.cluster.backplane.BackplaneFrameSerializer;
import dev.switchboard.cluster.presence.NodePresence;
import dev.switchboard.cluster.presence.PresenceSerializer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What crosses Artery round-trips exactly, and bytes that are not a valid value are refused, not misread. */
class SerializersTest {

    private final BackplaneFrameSerializer frames = new BackplaneFrameSerializer();
    private final PresenceSerializer presence = new PresenceSerializer();

    @Test
    void aFrameRoundTripsWithItsSender() {
        byte[] body = {1, 0, 42, -1, 7};
        byte[] wire = frames.toBinary(new BackplaneFrame("node-a.1", body));
        assertThat(wire).hasSize(2 + "node-a.1".length() + body.length);
        BackplaneFrame back = (BackplaneFrame) frames.fromBinaryJava(wire, null);
        assertThat(back.fromNode()).isEqualTo("node-a.1");
        assertThat(back.frame()).containsExactly(body);
    }

    @Test
    void aTruncatedOrForeignFrameIsRefused() {
        byte[] wire = frames.toBinary(new BackplaneFrame("node-a", new byte[] {9}));
        assertThatThrownBy(() -> frames.fromBinaryJava(Arrays.copyOf(wire, 4), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exceeds");
        byte[] foreign = wire.clone();
        foreign[0] = 2;
        assertThatThrownBy(() -> frames.fromBinaryJava(foreign, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("version 2");
    }

    @Test
    void presenceRoundTripsAndACorruptCountIsRefused() {
        NodePresence p = new NodePresence("node-b", "127.0.0.1:2552#42", Map.of(
                "/", List.of(new NodePresence.SocketPresence("s1", "alice", Set.of("all", "vip"), "10.0.0.9", "websocket",
                        "2026-01-01T00:00:00Z"), new NodePresence.SocketPresence("s2", "", Set.of(), "", "polling", "")),
                "/chat", List.of()));
        byte[] wire = presence.toBinary(p);
        assertThat(presence.fromBinaryJava(wire, null)).isEqualTo(p);

        byte[] corrupt = wire.clone();
        // The namespace count follows version, node id and address (each a 2-byte length and its bytes).
        int at = 1 + 2 + "node-b".length() + 2 + "127.0.0.1:2552#42".length();
        corrupt[at] = 0x7F;
        assertThatThrownBy(() -> presence.fromBinaryJava(corrupt, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("impossible");
        assertThatThrownBy(() -> presence.fromBinaryJava(Arrays.copyOf(wire, wire.length - 3), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("truncated");
    }
}
