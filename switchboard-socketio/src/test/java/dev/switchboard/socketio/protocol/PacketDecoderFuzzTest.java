package dev.switchboard.socketio.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Mutated packets (seeded, reproducible) never make the decoder fail other than with a
 * {@link PacketParseException}, and whatever it accepts re-encodes to a packet it accepts again.
 * That round trip only shows the decoder and encoder agree with each other; the generated packets
 * below are checked against the protocol itself: each is written down by a reference encoder in this
 * test, straight from the specification's grammar, and must decode to the packet it was made from,
 * while the encoder must produce the same header, JSON and attachments. The literal examples of
 * {@link PacketCodecTest} stay the first oracle.
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

    @Test
    void generatedPacketsMatchTheSpecificationBothWays() throws Exception {
        ObjectMapper mapper = Payloads.defaultMapper();
        PacketEncoder encoder = new PacketEncoder(mapper);
        Random random = new Random(20261201L);
        int withBinary = 0;
        for (int round = 0; round < 2_000; round++) {
            Generated g = generate(random, mapper);
            withBinary += g.attachments.isEmpty() ? 0 : 1;
            String wire = g.referenceText(mapper);

            PacketDecoder decoder = new PacketDecoder(mapper, PacketDecoder.DEFAULT_MAX_ATTACHMENTS);
            Packet decoded = decoder.decodeText(wire);
            for (byte[] attachment : g.attachments) {
                assertThat(decoded).as("complete before its attachments: %s", wire).isNull();
                decoded = decoder.decodeBinary(attachment);
            }
            assertThat(decoded).as("decoded %s", wire).isEqualTo(g.packet);

            PacketEncoder.Encoded encoded = encoder.encode(g.packet);
            String text = encoded.text();
            assertThat(text.substring(0, text.indexOf('['))).as("header of %s", wire).isEqualTo(g.header());
            assertThat(mapper.readTree(text.substring(text.indexOf('[')))).as("JSON of %s", wire).isEqualTo(g.wireData);
            assertThat(encoded.attachments()).as("attachments of %s", wire).containsExactlyElementsOf(g.attachments);
        }
        assertThat(withBinary).as("packets with attachments among those generated").isGreaterThan(200);
    }

    /**
     * A packet and what the specification says travels for it: the JSON with each binary value replaced
     * by {@code {"_placeholder":true,"num":k}} (k counting in document order) and the attachments in
     * that order.
     */
    private static final class Generated {
        final Packet packet;
        final JsonNode wireData;
        final List<byte[]> attachments;

        Generated(Packet packet, JsonNode wireData, List<byte[]> attachments) {
            this.packet = packet;
            this.wireData = wireData;
            this.attachments = attachments;
        }

        /**
         * Everything before the JSON: the type digit (5/6 instead of 2/3 when there are attachments,
         * followed by their count and '-'), the namespace and ',' unless it is "/", the ack id digits.
         */
        String header() {
            boolean binary = !attachments.isEmpty();
            int code = packet.type() == PacketType.EVENT ? (binary ? 5 : 2) : (binary ? 6 : 3);
            return code + (binary ? attachments.size() + "-" : "") + (packet.nsp().equals("/") ? "" : packet.nsp() + ",")
                    + (packet.hasId() ? Long.toString(packet.id()) : "");
        }

        String referenceText(ObjectMapper mapper) throws Exception {
            return header() + mapper.writeValueAsString(wireData);
        }
    }

    private static final List<String> NAMESPACES = List.of("/", "/chat", "/a-b_c", "/ns/deep");
    private static final List<String> EVENT_NAMES = List.of("ev", "chat message", "order:1", "\u00e9v\u00e9nement", "x");

    private static Generated generate(Random random, ObjectMapper mapper) {
        com.fasterxml.jackson.databind.node.JsonNodeFactory f = mapper.getNodeFactory();
        boolean event = random.nextBoolean();
        com.fasterxml.jackson.databind.node.ArrayNode model = f.arrayNode();
        com.fasterxml.jackson.databind.node.ArrayNode wire = f.arrayNode();
        List<byte[]> attachments = new java.util.ArrayList<>();
        if (event) {
            String name = EVENT_NAMES.get(random.nextInt(EVENT_NAMES.size()));
            model.add(name);
            wire.add(name);
        }
        int args = (event ? 0 : 1) + random.nextInt(4);
        for (int i = 0; i < args; i++) {
            JsonNode[] pair = value(random, f, attachments, 0);
            model.add(pair[0]);
            wire.add(pair[1]);
        }
        String nsp = NAMESPACES.get(random.nextInt(NAMESPACES.size()));
        long id = random.nextInt(3) == 0 ? Packet.NO_ID : random.nextInt(1_000_000);
        Packet packet = new Packet(event ? PacketType.EVENT : PacketType.ACK, nsp, id, model);
        return new Generated(packet, wire, attachments);
    }

    /** A random JSON value: [as the packet holds it, as it travels]. Binary only while attachments fit. */
    private static JsonNode[] value(Random random, com.fasterxml.jackson.databind.node.JsonNodeFactory f,
            List<byte[]> attachments, int depth) {
        int kind = random.nextInt(depth < 2 ? 9 : 6);
        switch (kind) {
            case 0: return both(f.nullNode());
            case 1: return both(f.booleanNode(random.nextBoolean()));
            case 2: return both(f.numberNode(random.nextInt(2_000_001) - 1_000_000));
            case 3: return both(f.numberNode(random.nextInt(1000) / 8.0 + 0.125));
            case 4: return both(f.textNode(List.of("", "a", "quote \" and \\ back", "\u00e9\u4e2d", "line\nbreak")
                    .get(random.nextInt(5))));
            case 5:
                if (attachments.size() < PacketDecoder.DEFAULT_MAX_ATTACHMENTS) {
                    byte[] bytes = new byte[random.nextInt(8)];
                    random.nextBytes(bytes);
                    com.fasterxml.jackson.databind.node.ObjectNode placeholder = f.objectNode();
                    placeholder.put("_placeholder", true);
                    placeholder.put("num", attachments.size());
                    attachments.add(bytes);
                    return new JsonNode[] {f.binaryNode(bytes), placeholder};
                }
                return both(f.textNode("no room for more attachments"));
            case 6: case 7: {
                com.fasterxml.jackson.databind.node.ArrayNode m = f.arrayNode();
                com.fasterxml.jackson.databind.node.ArrayNode w = f.arrayNode();
                for (int i = random.nextInt(4); i > 0; i--) {
                    JsonNode[] pair = value(random, f, attachments, depth + 1);
                    m.add(pair[0]);
                    w.add(pair[1]);
                }
                return new JsonNode[] {m, w};
            }
            default: {
                com.fasterxml.jackson.databind.node.ObjectNode m = f.objectNode();
                com.fasterxml.jackson.databind.node.ObjectNode w = f.objectNode();
                for (int i = random.nextInt(4); i > 0; i--) {
                    String key = "k" + random.nextInt(5);
                    if (m.has(key)) {
                        continue;
                    }
                    JsonNode[] pair = value(random, f, attachments, depth + 1);
                    m.set(key, pair[0]);
                    w.set(key, pair[1]);
                }
                return new JsonNode[] {m, w};
            }
        }
    }

    private static JsonNode[] both(JsonNode node) {
        return new JsonNode[] {node, node};
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
