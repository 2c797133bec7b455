package dev.switchboard.socketio.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Mutated packets (seeded, reproducible) never make the decoder fail other than with a
 * {@link PacketParseException}, and whatever it accepts re-encodes to a packet it accepts again.
 */
class PacketDecoderFuzzTest {

    private static final List<String> CORPUS = List.of(
            "0", "0/chat,", "0{\"token\":\"a\"}", "40", "1/x,", "2[\"ev\",1,{\"a\":[true,null,2.5]}]",
            "2/chat,17[\"m\",\"\\u00e9\"]", "31[\"ok\"]", "4{\"message\":\"m\",\"data\":{\"c\":1}}",
            "52-[\"b\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]",
            "61-/n,3[{\"_placeholder\":true,\"num\":0}]");
    private static final String ALPHABET = "0123456789-/,[]{}\":_trufalsenm\\ ";

    @Test
    void mutatedPacketsOnlyFailAsParseErrors() throws Exception {
        ObjectMapper mapper = Payloads.defaultMapper();
        PacketEncoder encoder = new PacketEncoder(mapper);
        Random random = new Random(20261126L);
        int accepted = 0;
        for (int round = 0; round < 5_000; round++) {
            String input = mutate(CORPUS.get(random.nextInt(CORPUS.size())), random);
            PacketDecoder decoder = new PacketDecoder(mapper, 3);
            try {
                Packet p = decoder.decodeText(input);
                for (int i = 0; p == null && i < 4; i++) {
                    p = decoder.decodeBinary(new byte[] {(byte) i});
                }
                if (p != null) {
                    accepted++;
                    PacketEncoder.Encoded again = encoder.encode(p);
                    PacketDecoder second = new PacketDecoder(mapper, 10);
                    Packet q = second.decodeText(again.text());
                    for (byte[] att : again.attachments()) {
                        q = second.decodeBinary(att);
                    }
                    assertThat(q).as("re-encoded %s", input).isEqualTo(p);
                }
            } catch (PacketParseException expected) {
                // the one way to refuse
            }
        }
        assertThat(accepted).as("some mutations stay valid").isGreaterThan(25);
    }

    private static String mutate(String s, Random random) {
        StringBuilder sb = new StringBuilder(s);
        int edits = 1 + random.nextInt(3);
        for (int e = 0; e < edits; e++) {
            int op = random.nextInt(3);
            int at = sb.length() == 0 ? 0 : random.nextInt(sb.length());
            char c = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
            if (op == 0 && sb.length() > 0) {
                sb.deleteCharAt(at);
            } else if (op == 1) {
                sb.insert(at, c);
            } else if (sb.length() > 0) {
                sb.setCharAt(at, c);
            }
        }
        return sb.toString();
    }
}
