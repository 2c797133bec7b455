package dev.switchboard.core.message;

import java.security.SecureRandom;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The unique id of a {@link Message}: 128 bits, laid out as a ULID (48 bits of milliseconds since the
 * epoch, then 80 random bits), so that ids sort roughly by creation time and two nodes never need to
 * agree on a counter. The compact string form ({@link #toString()}) is 26 characters of Crockford
 * base32, the form stores and brokers de-duplicate by.
 *
 * <p>Value type: equal when the 128 bits are equal. The random bits come from a
 * {@link ThreadLocalRandom} seeded per thread from {@link SecureRandom}: unique enough for
 * de-duplication (2^80 per millisecond), not a secret.
 */
public final class MessageId implements Comparable<MessageId> {

    /** Length of {@link #toString()}. */
    public static final int STRING_LENGTH = 26;

    private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
    private static final byte[] VALUES = new byte[128];

    static {
        java.util.Arrays.fill(VALUES, (byte) -1);
        for (int i = 0; i < ALPHABET.length; i++) {
            VALUES[ALPHABET[i]] = (byte) i;
            VALUES[Character.toLowerCase(ALPHABET[i])] = (byte) i;
        }
    }

    private final long hi;
    private final long lo;

    private MessageId(long hi, long lo) {
        this.hi = hi;
        this.lo = lo;
    }

    /** A new id for now. */
    public static MessageId random() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long millis = System.currentTimeMillis() & 0xFFFF_FFFF_FFFFL;
        return new MessageId((millis << 16) | (r.nextInt() & 0xFFFF), r.nextLong());
    }

    /** The id with these 128 bits (the codec's form). */
    public static MessageId of(long hi, long lo) {
        return new MessageId(hi, lo);
    }

    /**
     * Parses the string form (case-insensitive).
     *
     * @throws IllegalArgumentException if {@code s} is not 26 Crockford base32 characters, or overflows 128 bits
     */
    public static MessageId parse(CharSequence s) {
        if (s == null || s.length() != STRING_LENGTH) {
            throw new IllegalArgumentException("a message id is " + STRING_LENGTH + " base32 characters, was "
                    + (s == null ? "null" : "'" + s + "'"));
        }
        // 26 characters carry 130 bits: the first may only be 0-7.
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < STRING_LENGTH; i++) {
            char c = s.charAt(i);
            int v = c < 128 ? VALUES[c] : -1;
            if (v < 0 || (i == 0 && v > 7)) {
                throw new IllegalArgumentException("not a message id: '" + s + "' (character " + i + ")");
            }
            hi = (hi << 5) | (lo >>> 59);
            lo = (lo << 5) | v;
        }
        return new MessageId(hi, lo);
    }

    /** The high 64 bits (the timestamp and 16 random bits). */
    public long hi() {
        return hi;
    }

    /** The low 64 bits (random). */
    public long lo() {
        return lo;
    }

    /** Milliseconds since the epoch when the id was made (for ids made by {@link #random()}). */
    public long timestamp() {
        return hi >>> 16;
    }

    @Override
    public String toString() {
        char[] out = new char[STRING_LENGTH];
        long h = hi;
        long l = lo;
        for (int i = STRING_LENGTH - 1; i >= 0; i--) {
            out[i] = ALPHABET[(int) (l & 31)];
            l = (l >>> 5) | (h << 59);
            h >>>= 5;
        }
        return new String(out);
    }

    @Override
    public int compareTo(MessageId o) {
        int c = Long.compareUnsigned(hi, o.hi);
        return c != 0 ? c : Long.compareUnsigned(lo, o.lo);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MessageId m && m.hi == hi && m.lo == lo;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(hi) * 31 + Long.hashCode(lo);
    }
}
