package dev.switchboard.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SioPacketTest {

    @Test
    void parsesEventWithoutNamespaceOrAck() {
        SioPacket p = SioPacket.parse("42[\"broadcast\",{\"t\":5}]", 1);
        assertThat(p.type()).isEqualTo(SioPacket.EVENT);
        assertThat(p.nsp()).isEqualTo("/");
        assertThat(p.ackId()).isEqualTo(-1);
        assertThat(p.eventName()).isEqualTo("broadcast");
        assertThat(p.data()).isEqualTo("[\"broadcast\",{\"t\":5}]");
    }

    @Test
    void parsesAckIdAndNamespace() {
        SioPacket ack = SioPacket.parse("4312[\"x\",1]", 1);
        assertThat(ack.type()).isEqualTo(SioPacket.ACK);
        assertThat(ack.ackId()).isEqualTo(12);
        assertThat(ack.data()).isEqualTo("[\"x\",1]");

        SioPacket custom = SioPacket.parse("42/custom,7[\"auth\",null]", 1);
        assertThat(custom.nsp()).isEqualTo("/custom");
        assertThat(custom.ackId()).isEqualTo(7);
        assertThat(custom.eventName()).isEqualTo("auth");

        SioPacket bare = SioPacket.parse("40/custom", 1);
        assertThat(bare.nsp()).isEqualTo("/custom");
        assertThat(bare.data()).isEmpty();
    }

    @Test
    void skipsAttachmentCountOfBinaryPackets() {
        SioPacket p = SioPacket.parse("451-[\"up\",{\"_placeholder\":true,\"num\":0}]", 1);
        assertThat(p.type()).isEqualTo(SioPacket.BINARY_EVENT);
        assertThat(p.eventName()).isEqualTo("up");
    }

    @Test
    void rejectsUnknownType() {
        assertThatThrownBy(() -> SioPacket.parse("49[]", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SioPacket.parse("4", 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void timestampRoundTripsThroughPayload() {
        String payload = Payloads.timestamped(-123456789L, 42, 100);
        assertThat(payload).hasSize(100);
        assertThat(Payloads.timestampOf("[\"broadcast\"," + payload + "]")).isEqualTo(-123456789L);
        assertThat(Payloads.timestampOf("[\"x\",{}]")).isEqualTo(Long.MIN_VALUE);
    }
}
