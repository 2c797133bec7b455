package dev.switchboard.core.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MessageCodecTest {

    private final MessageCodec codec = MessageCodec.standard();

    static Message full() {
        return Message.builder("/chat", "message")
                .rooms(Set.of("lobby", "room-é"))
                .exceptRooms(Set.of("muted"))
                .exceptIds(Set.of("sid-1"))
                .arguments("[\"hello\",{\"_placeholder\":true,\"num\":0},42]")
                .attachments(List.of(new byte[] {0, 1, 2, (byte) 0xFF}))
                .isVolatile(true).local(true).compress(true)
                .ackId(12345678901L)
                .origin("node-a", "socketio")
                .headers(Map.of("trace", "abc", "k", ""))
                .position(987654321L)
                .build();
    }

    @Test
    void everyFieldSurvivesARoundTrip() throws Exception {
        Message m = full();
        Message back = codec.decode(codec.encode(m));
        assertThat(back).isEqualTo(m);
        assertThat(back.id().toString()).isEqualTo(m.id().toString());
        assertThat(back.argumentsJson()).isEqualTo("[\"hello\",{\"_placeholder\":true,\"num\":0},42]");
        assertThat(back.attachment(0).remaining()).isEqualTo(4);
        assertThat(back.isVolatile()).isTrue();
        assertThat(back.local()).isTrue();
        assertThat(back.compress()).isTrue();
        assertThat(back.headers()).containsEntry("trace", "abc");
    }

    @Test
    void aMinimalMessageIsSmallAndRoundTrips() throws Exception {
        Message m = Message.builder("/", "ping").build();
        byte[] bytes = codec.encode(m);
        // header 4 + id 16 + "/" 2 + "ping" 5 + three empty sets 3 + empty origin 2 + no headers 1 + "[]" 3 + 0 attachments 1
        assertThat(bytes).hasSize(37);
        Message back = codec.decode(bytes);
        assertThat(back).isEqualTo(m);
        assertThat(back.ackId()).isEqualTo(Message.NO_ACK);
        assertThat(back.position()).isEqualTo(Message.NO_POSITION);
        assertThat(back.wholeSpace()).isTrue();
    }

    @Test
    void theFormatStartsWithMagicAndVersion() {
        byte[] bytes = codec.encode(full());
        assertThat(new String(bytes, 0, 2, StandardCharsets.US_ASCII)).isEqualTo("SB");
        assertThat(bytes[2]).isEqualTo((byte) MessageCodec.VERSION);
    }

    @Test
    void anUnknownVersionIsRefusedByName() {
        byte[] bytes = codec.encode(full());
        bytes[2] = 2;
        assertThatThrownBy(() -> codec.decode(bytes)).isInstanceOf(MessageFormatException.class)
                .hasMessageContaining("version 2 not supported");
    }

    @Test
    void truncatedAndTrailingInputAreRefused() {
        byte[] bytes = codec.encode(full());
        for (int cut = 0; cut < bytes.length; cut++) {
            byte[] prefix = java.util.Arrays.copyOf(bytes, cut);
            assertThatThrownBy(() -> codec.decode(prefix)).isInstanceOf(MessageFormatException.class);
        }
        byte[] longer = java.util.Arrays.copyOf(bytes, bytes.length + 1);
        assertThatThrownBy(() -> codec.decode(longer)).isInstanceOf(MessageFormatException.class)
                .hasMessageContaining("after the message");
    }

    @Test
    void aHugeDeclaredLengthIsRefusedWithoutAllocatingIt() {
        // magic, version, flags, id, then a space length of 2^31 (varint) with nothing behind it.
        byte[] bytes = new byte[4 + 16 + 5];
        bytes[0] = 'S';
        bytes[1] = 'B';
        bytes[2] = 1;
        bytes[20] = (byte) 0x80;
        bytes[21] = (byte) 0x80;
        bytes[22] = (byte) 0x80;
        bytes[23] = (byte) 0x80;
        bytes[24] = 0x08;
        assertThatThrownBy(() -> codec.decode(bytes)).isInstanceOf(MessageFormatException.class)
                .hasMessageContaining("space");
    }

    @Test
    void inputsOverTheCodecBoundAreRefusedBothWays() {
        MessageCodec small = MessageCodec.withMaxMessageBytes(100);
        Message big = Message.builder("/", "e").arguments("[\"" + "x".repeat(200) + "\"]").build();
        assertThatThrownBy(() -> small.encode(big)).isInstanceOf(IllegalArgumentException.class);
        byte[] bytes = codec.encode(big);
        assertThatThrownBy(() -> small.decode(bytes)).isInstanceOf(MessageFormatException.class)
                .hasMessageContaining("over the codec's bound");
    }

    @Test
    void malformedUtf8IsRefused() {
        Message m = Message.builder("/ab", "e").build();
        byte[] bytes = codec.encode(m);
        int space = 4 + 16 + 1; // after the length byte of "/ab"
        bytes[space + 1] = (byte) 0xC3; // a lead byte followed by 'b': not UTF-8
        assertThatThrownBy(() -> codec.decode(bytes)).isInstanceOf(MessageFormatException.class)
                .hasMessageContaining("space: not UTF-8");
    }

    /**
     * Seeded fuzzing: random bytes, and valid messages with random bytes changed, cut or inserted. The
     * decoder answers each with a message or a MessageFormatException, nothing else (no
     * IndexOutOfBounds, no NegativeArraySize, no OutOfMemoryError).
     */
    @Test
    void garbageGivesAFormatExceptionAndNothingElse() {
        Random random = new Random(20261201L);
        byte[] valid = codec.encode(full());
        int decoded = 0;
        int refused = 0;
        for (int i = 0; i < 60_000; i++) {
            byte[] input;
            switch (i % 4) {
                case 0 -> {
                    input = new byte[random.nextInt(64)];
                    random.nextBytes(input);
                    if (input.length > 2) {
                        input[0] = 'S';
                        input[1] = 'B';
                        input[2] = 1;
                    }
                }
                case 1 -> {
                    input = valid.clone();
                    for (int k = 1 + random.nextInt(4); k > 0; k--) {
                        input[random.nextInt(input.length)] = (byte) random.nextInt(256);
                    }
                }
                case 2 -> input = java.util.Arrays.copyOf(valid, random.nextInt(valid.length + 8));
                default -> {
                    int at = 3 + random.nextInt(valid.length - 3);
                    input = new byte[valid.length + 5];
                    System.arraycopy(valid, 0, input, 0, at);
                    for (int k = 0; k < 5; k++) {
                        input[at + k] = (byte) (0x80 | random.nextInt(256));
                    }
                    System.arraycopy(valid, at, input, at + 5, valid.length - at);
                }
            }
            try {
                Message m = codec.decode(input);
                decoded++;
                // Whatever decodes must encode again to a message that decodes to itself.
                assertThat(codec.decode(codec.encode(m))).isEqualTo(m);
            } catch (MessageFormatException e) {
                refused++;
                assertThat(e.getMessage()).isNotBlank();
            }
        }
        assertThat(refused).isGreaterThan(30_000);
        assertThat(decoded).isGreaterThan(0); // some mutations only change content (an id bit, a letter)
    }
}
