package dev.switchboard.bench.load;

/**
 * One inbound Engine.IO MESSAGE carrying a Socket.IO v5 packet, split without a JSON parse: type,
 * namespace, ack id and the raw JSON text that follows. The load generator reads thousands of these
 * per second on the same two cores as the server it measures, so only what a scenario needs is ever
 * parsed further (the event name, the send timestamp).
 *
 * <p>Encoding (socket.io-protocol v5, "Packet encoding"): type digit, then for binary types
 * {@code N-} attachments, then {@code /nsp,} unless the namespace is {@code /}, then the ack id digits,
 * then the JSON payload.
 *
 * @param type  Socket.IO packet type, 0 CONNECT .. 6 BINARY_ACK
 * @param nsp   namespace, {@code "/"} when omitted
 * @param ackId the ack id, or -1 when absent
 * @param data  JSON text after the header, possibly empty
 */
public record SioPacket(int type, String nsp, long ackId, String data) {

    public static final int CONNECT = 0;
    public static final int DISCONNECT = 1;
    public static final int EVENT = 2;
    public static final int ACK = 3;
    public static final int CONNECT_ERROR = 4;
    public static final int BINARY_EVENT = 5;
    public static final int BINARY_ACK = 6;

    /**
     * Parses the Socket.IO part of an Engine.IO message, that is the text after the leading {@code 4}.
     *
     * @param text  the whole Engine.IO text frame
     * @param from  index of the Socket.IO type digit (1 for a frame that starts with {@code 4})
     * @throws IllegalArgumentException for a packet this parser cannot read
     */
    public static SioPacket parse(String text, int from) {
        if (from >= text.length()) {
            throw new IllegalArgumentException("empty Socket.IO packet");
        }
        int type = text.charAt(from) - '0';
        if (type < CONNECT || type > BINARY_ACK) {
            throw new IllegalArgumentException("unknown Socket.IO packet type '" + text.charAt(from) + "'");
        }
        int i = from + 1;
        if (type == BINARY_EVENT || type == BINARY_ACK) {
            while (i < text.length() && text.charAt(i) != '-') {
                i++;
            }
            i++;
        }
        String nsp = "/";
        if (i < text.length() && text.charAt(i) == '/') {
            int comma = text.indexOf(',', i);
            int end = comma < 0 ? text.length() : comma;
            nsp = text.substring(i, end);
            i = comma < 0 ? end : comma + 1;
        }
        long ackId = -1;
        int digits = i;
        while (i < text.length() && Character.isDigit(text.charAt(i))) {
            i++;
        }
        if (i > digits) {
            ackId = Long.parseLong(text, digits, i, 10);
        }
        return new SioPacket(type, nsp, ackId, text.substring(i));
    }

    /** The event name of an EVENT payload {@code ["name",...]} (names with escapes are not expected). */
    public String eventName() {
        if (data.length() < 3 || data.charAt(0) != '[' || data.charAt(1) != '"') {
            return "";
        }
        int end = data.indexOf('"', 2);
        return end < 0 ? "" : data.substring(2, end);
    }
}
