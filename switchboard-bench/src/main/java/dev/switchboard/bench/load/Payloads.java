package dev.switchboard.bench.load;

/**
 * Timestamped payloads. {@link System#nanoTime()} is only comparable within one JVM, so the sender
 * writes it into the payload and the same JVM, receiving the message back (an echo, an ack, a
 * broadcast to a room it also listens to), subtracts. The payload is a JSON object
 * {@code {"t":<nanoTime>,"s":<sequence>,"p":"<padding>"}} whose padding brings it to the requested size.
 */
public final class Payloads {

    private static final String T_KEY = "\"t\":";

    private Payloads() {}

    /** A payload object of about {@code size} bytes (never less than the timestamp and sequence need). */
    public static String timestamped(long nanoTime, long sequence, int size) {
        StringBuilder sb = new StringBuilder(size + 16);
        sb.append("{\"t\":").append(nanoTime).append(",\"s\":").append(sequence).append(",\"p\":\"");
        int padding = size - sb.length() - 2;
        for (int i = 0; i < padding; i++) {
            sb.append('x');
        }
        return sb.append("\"}").toString();
    }

    /** The send timestamp inside {@code text}, or {@link Long#MIN_VALUE} when there is none. */
    public static long timestampOf(String text) {
        int at = text.indexOf(T_KEY);
        if (at < 0) {
            return Long.MIN_VALUE;
        }
        int i = at + T_KEY.length();
        int start = i;
        if (i < text.length() && text.charAt(i) == '-') {
            i++;
        }
        while (i < text.length() && Character.isDigit(text.charAt(i))) {
            i++;
        }
        return i == start ? Long.MIN_VALUE : Long.parseLong(text, start, i, 10);
    }
}
