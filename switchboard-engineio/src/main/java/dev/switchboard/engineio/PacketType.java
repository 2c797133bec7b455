package dev.switchboard.engineio;

/** Engine.IO v4 packet types (engine.io-protocol, "Packet encoding"), with their wire digit. */
enum PacketType {
    OPEN('0'),
    CLOSE('1'),
    PING('2'),
    PONG('3'),
    MESSAGE('4'),
    UPGRADE('5'),
    NOOP('6');

    private static final PacketType[] BY_DIGIT = values();

    final char digit;

    PacketType(char digit) {
        this.digit = digit;
    }

    /** The type for a wire character, or {@code null} when it is not one of {@code 0}..{@code 6}. */
    static PacketType fromChar(int c) {
        int i = c - '0';
        return i >= 0 && i < BY_DIGIT.length ? BY_DIGIT[i] : null;
    }
}
