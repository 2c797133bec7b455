package dev.switchboard.socketio.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PacketCodecTest {

    private final ObjectMapper mapper = Payloads.defaultMapper();
    private final Payloads payloads = new Payloads(mapper);
    private final PacketDecoder decoder = new PacketDecoder(mapper, PacketDecoder.DEFAULT_MAX_ATTACHMENTS);
    private final PacketEncoder encoder = new PacketEncoder(mapper);

    private Packet decode(String s) throws PacketParseException {
        Packet p = decoder.decodeText(s);
        assertThat(p).as("complete packet for %s", s).isNotNull();
        return p;
    }

    @Nested
    class Decoding {
        @Test
        void connectToMainNamespaceWithoutAuth() throws Exception {
            Packet p = decode("0");
            assertThat(p.type()).isEqualTo(PacketType.CONNECT);
            assertThat(p.nsp()).isEqualTo("/");
            assertThat(p.hasId()).isFalse();
            assertThat(p.data()).isNull();
        }

        @Test
        void connectToCustomNamespaceWithoutTrailingComma() throws Exception {
            Packet p = decode("0/custom");
            assertThat(p.nsp()).isEqualTo("/custom");
            assertThat(p.data()).isNull();
            assertThat(decode("0/custom,").nsp()).isEqualTo("/custom");
        }

        @Test
        void connectWithAuth() throws Exception {
            Packet p = decode("0/admin,{\"token\":\"123\",\"n\":1}");
            assertThat(p.nsp()).isEqualTo("/admin");
            assertThat(p.data().get("token").asText()).isEqualTo("123");
        }

        @Test
        void eventWithNamespaceAndAckId() throws Exception {
            Packet p = decode("2/chat,12[\"hello\",1,{\"a\":[true,null]}]");
            assertThat(p.type()).isEqualTo(PacketType.EVENT);
            assertThat(p.nsp()).isEqualTo("/chat");
            assertThat(p.id()).isEqualTo(12);
            assertThat(p.data().toString()).isEqualTo("[\"hello\",1,{\"a\":[true,null]}]");
        }

        @Test
        void eventWithNumericName() throws Exception {
            assertThat(decode("2[42]").data().get(0).asInt()).isEqualTo(42);
        }

        @Test
        void ack() throws Exception {
            Packet p = decode("31[\"ok\"]");
            assertThat(p.type()).isEqualTo(PacketType.ACK);
            assertThat(p.id()).isEqualTo(1);
            assertThat(decode("30[]").data().size()).isZero();
        }

        @Test
        void disconnect() throws Exception {
            Packet p = decode("1/chat,");
            assertThat(p.type()).isEqualTo(PacketType.DISCONNECT);
            assertThat(p.nsp()).isEqualTo("/chat");
        }

        @Test
        void connectErrorStringOrObject() throws Exception {
            assertThat(decode("4\"nope\"").data().asText()).isEqualTo("nope");
            assertThat(decode("4{\"message\":\"m\"}").data().get("message").asText()).isEqualTo("m");
        }

        @Test
        void binaryEventIsReconstructedInOrder() throws Exception {
            assertThat(decoder.decodeText(
                    "52-/chat,7[\"up\",{\"_placeholder\":true,\"num\":1},{\"nested\":[{\"_placeholder\":true,\"num\":0}]}]"))
                    .isNull();
            assertThat(decoder.reconstructing()).isTrue();
            assertThat(decoder.decodeBinary(new byte[] {1, 2})).isNull();
            Packet p = decoder.decodeBinary(new byte[] {3});
            assertThat(decoder.reconstructing()).isFalse();
            assertThat(p.type()).isEqualTo(PacketType.EVENT);
            assertThat(p.nsp()).isEqualTo("/chat");
            assertThat(p.id()).isEqualTo(7);
            List<Object> args = payloads.toJava(p.data(), 1);
            assertThat((byte[]) args.get(0)).containsExactly(3);
            @SuppressWarnings("unchecked")
            Map<String, Object> nested = (Map<String, Object>) args.get(1);
            assertThat((byte[]) ((List<?>) nested.get("nested")).get(0)).containsExactly(1, 2);
        }

        @Test
        void binaryAck() throws Exception {
            assertThat(decoder.decodeText("61-3[{\"_placeholder\":true,\"num\":0}]")).isNull();
            Packet p = decoder.decodeBinary("x".getBytes(StandardCharsets.UTF_8));
            assertThat(p.type()).isEqualTo(PacketType.ACK);
            assertThat(p.id()).isEqualTo(3);
            assertThat(p.data().get(0).binaryValue()).containsExactly('x');
        }
    }

    @Nested
    class Rejection {
        @ParameterizedTest
        @ValueSource(strings = {"7", "9[\"a\"]", "a", "-1", " 2[\"a\"]"})
        void unknownType(String s) {
            assertThatThrownBy(() -> decoder.decodeText(s))
                    .isInstanceOf(PacketParseException.class)
                    .hasMessageContaining("unknown packet type");
        }

        @Test
        void emptyPacket() {
            assertThatThrownBy(() -> decoder.decodeText("")).isInstanceOf(PacketParseException.class);
        }

        @ParameterizedTest
        @ValueSource(strings = {"2[\"a\"", "2{bad}", "2[\"a\"]x", "2[\"a\"][1]", "0{", "2abc", "2[NaN]", "2['a']"})
        void badJson(String s) {
            assertThatThrownBy(() -> decoder.decodeText(s)).isInstanceOf(PacketParseException.class);
        }

        @ParameterizedTest
        @ValueSource(strings = {"2{\"a\":1}", "2\"event\"", "2[]", "2[null]", "2[true]", "2[{}]", "21", "2/chat,"})
        void eventPayloadMustBeArrayStartingWithNameOrNumber(String s) {
            assertThatThrownBy(() -> decoder.decodeText(s))
                    .isInstanceOf(PacketParseException.class)
                    .hasMessageContaining("invalid payload");
        }

        @ParameterizedTest
        @ValueSource(strings = {"connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"})
        void reservedEventNames(String name) {
            assertThatThrownBy(() -> decoder.decodeText("2[\"" + name + "\"]"))
                    .hasMessageContaining("invalid payload");
        }

        @ParameterizedTest
        @ValueSource(strings = {"0[]", "0\"x\"", "1[]", "1{}", "3{}", "31", "4[1]", "4 1"})
        void payloadOfWrongShape(String s) {
            assertThatThrownBy(() -> decoder.decodeText(s)).isInstanceOf(PacketParseException.class);
        }

        @ParameterizedTest
        @ValueSource(strings = {"29007199254740992[\"a\"]", "212345678901234567890[\"a\"]", "3/x,99999999999999999[]"})
        void badAckId(String s) {
            assertThatThrownBy(() -> decoder.decodeText(s)).hasMessageContaining("bad ack id");
        }

        @ParameterizedTest
        @ValueSource(strings = {"5[\"a\"]", "5-[\"a\"]", "50-[\"a\"]", "5x-[\"a\"]", "511-[\"a\"]", "61["})
        void badAttachmentCount(String s) {
            assertThatThrownBy(() -> decoder.decodeText(s)).isInstanceOf(PacketParseException.class);
        }

        @Test
        void placeholderOutOfRange() throws Exception {
            assertThat(decoder.decodeText("51-[\"a\",{\"_placeholder\":true,\"num\":1}]")).isNull();
            assertThatThrownBy(() -> decoder.decodeBinary(new byte[1])).hasMessageContaining("illegal attachments");
        }

        @Test
        void textWhileReconstructing() throws Exception {
            assertThat(decoder.decodeText("51-[\"a\",{\"_placeholder\":true,\"num\":0}]")).isNull();
            assertThatThrownBy(() -> decoder.decodeText("2[\"a\"]")).hasMessageContaining("plaintext");
        }

        @Test
        void binaryWithoutHeader() {
            assertThatThrownBy(() -> decoder.decodeBinary(new byte[1])).hasMessageContaining("not reconstructing");
        }
    }

    @Nested
    class Encoding {
        @Test
        void connectReplies() {
            ObjectMapper m = mapper;
            assertThat(encoder.encode(Packet.of(PacketType.CONNECT, "/", m.createObjectNode().put("sid", "abc"))).text())
                    .isEqualTo("0{\"sid\":\"abc\"}");
            assertThat(encoder.encode(Packet.of(PacketType.CONNECT_ERROR, "/nsp",
                    m.createObjectNode().put("message", "Invalid namespace"))).text())
                    .isEqualTo("4/nsp,{\"message\":\"Invalid namespace\"}");
            assertThat(encoder.encode(Packet.of(PacketType.DISCONNECT, "/chat", null)).text()).isEqualTo("1/chat,");
        }

        @Test
        void eventKeepsKeyOrderAndIsCompact() {
            Map<String, Object> obj = new LinkedHashMap<>();
            obj.put("z", 1);
            obj.put("a", List.of("x", 2.5, false));
            obj.put("m", null);
            ArrayNode data = payloads.eventData("ev", new Object[] {obj, "s", 7L, null});
            assertThat(encoder.encode(new Packet(PacketType.EVENT, "/", 5, data)).text())
                    .isEqualTo("25[\"ev\",{\"z\":1,\"a\":[\"x\",2.5,false],\"m\":null},\"s\",7,null]");
        }

        @Test
        void binaryEventUsesPlaceholdersAndLeavesThePacketUntouched() {
            ArrayNode data = payloads.eventData("bin", new Object[] {new byte[] {1}, Map.of("k", List.of(new byte[] {2, 3}))});
            Packet packet = Packet.of(PacketType.EVENT, "/x", data);
            PacketEncoder.Encoded e = encoder.encode(packet);
            assertThat(e.text()).isEqualTo(
                    "52-/x,[\"bin\",{\"_placeholder\":true,\"num\":0},{\"k\":[{\"_placeholder\":true,\"num\":1}]}]");
            assertThat(e.attachments()).hasSize(2);
            assertThat(e.attachments().get(0)).containsExactly(1);
            assertThat(e.attachments().get(1)).containsExactly(2, 3);
            assertThat(data.get(1).isBinary()).isTrue();
            assertThat(encoder.encode(packet).text()).isEqualTo(e.text());
        }

        @Test
        void binaryAckId() {
            PacketEncoder.Encoded e = encoder.encode(new Packet(PacketType.ACK, "/", 9, payloads.argsData(new Object[] {new byte[0]})));
            assertThat(e.text()).isEqualTo("61-9[{\"_placeholder\":true,\"num\":0}]");
        }

        @Test
        void roundTripThroughDecoder() throws Exception {
            ArrayNode data = payloads.eventData("rt", new Object[] {
                "é\u2028\"q\"", 1.5, -3, Long.MAX_VALUE, List.of(), Map.of(), new byte[] {9, 8, 7}});
            PacketEncoder.Encoded e = encoder.encode(new Packet(PacketType.EVENT, "/n", 42, data));
            assertThat(decoder.decodeText(e.text())).isNull();
            Packet back = decoder.decodeBinary(e.attachments().get(0));
            assertThat(back).isEqualTo(new Packet(PacketType.EVENT, "/n", 42, data));
            JsonNode bin = back.data().get(7);
            assertThat(bin.binaryValue()).containsExactly(9, 8, 7);
        }
    }
}
