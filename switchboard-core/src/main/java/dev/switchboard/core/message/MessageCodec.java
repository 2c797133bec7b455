package dev.switchboard.core.message;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The binary form of a {@link Message}, used by every backplane and broker bridge (and by stores that
 * keep messages as bytes). Stateless and thread-safe; {@link #decode} never throws anything but
 * {@link MessageFormatException} for bad input, and never allocates more than the input's length
 * (every length is checked against the bytes that remain before anything is allocated).
 *
 * <h2>Format, version 1</h2>
 * Integers marked {@code varint} are unsigned LEB128 (7 bits per byte, low first, at most 5 bytes for an
 * int, 10 for a long); a {@code str} is a varint byte length then that many bytes of UTF-8.
 * <pre>
 *   magic      2 bytes   0x53 0x42 ("SB")
 *   version    1 byte    1
 *   flags      1 byte    bit 0 volatile, 1 local, 2 compress, 3 has ackId, 4 has position;
 *                        bits 5-7 must be 0
 *   id         16 bytes  MessageId hi then lo, big-endian
 *   space      str
 *   event      str
 *   rooms      varint n, then n str
 *   except     varint n, then n str        (except rooms)
 *   exceptIds  varint n, then n str
 *   ackId      varint    only if flag 3
 *   position   varint    only if flag 4
 *   originNode str
 *   originProt str
 *   headers    varint 2n, then n times: str name, str value
 *   arguments  varint length, then the JSON array's UTF-8 bytes (first byte '[', last ']')
 *   attachments varint n, then n times: varint length, bytes
 * </pre>
 * Nothing may follow. Bounds (each past them is a {@link MessageFormatException}): a string
 * {@value #MAX_STRING} bytes, {@value #MAX_ENTRIES} entries in a set or the headers,
 * {@value #MAX_ATTACHMENTS} attachments; the whole input at most {@link #maxMessageBytes()}.
 * A later version adds fields after these and raises the version byte; a decoder rejects versions it
 * does not know rather than guessing.
 */
public final class MessageCodec {

    /** Current format version. */
    public static final int VERSION = 1;
    /** Longest string field, in bytes: room and event names are short; 64 KiB leaves room for odd ones. */
    public static final int MAX_STRING = 65_536;
    /** Most entries of one set (rooms, except rooms, except ids) or of the headers. */
    public static final int MAX_ENTRIES = 65_536;
    /** Most binary attachments; Socket.IO's own parser defaults to 10, our decoder's bound is lower than this. */
    public static final int MAX_ATTACHMENTS = 1_024;
    /** Default bound of a whole encoded message: 16 MiB, well past Socket.IO's 1 MB default payload. */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

    private static final byte MAGIC0 = 'S';
    private static final byte MAGIC1 = 'B';
    private static final int F_VOLATILE = 1;
    private static final int F_LOCAL = 2;
    private static final int F_COMPRESS = 4;
    private static final int F_ACK = 8;
    private static final int F_POSITION = 16;
    private static final int F_KNOWN = 31;

    private static final MessageCodec DEFAULT = new MessageCodec(DEFAULT_MAX_MESSAGE_BYTES);

    private final int maxMessageBytes;

    private MessageCodec(int maxMessageBytes) {
        this.maxMessageBytes = maxMessageBytes;
    }

    /** The codec with {@link #DEFAULT_MAX_MESSAGE_BYTES}. */
    public static MessageCodec standard() {
        return DEFAULT;
    }

    /** A codec refusing inputs (and outputs) longer than {@code maxMessageBytes}. */
    public static MessageCodec withMaxMessageBytes(int maxMessageBytes) {
        if (maxMessageBytes < 64) {
            throw new IllegalArgumentException("maxMessageBytes must be >= 64, was " + maxMessageBytes);
        }
        return new MessageCodec(maxMessageBytes);
    }

    public int maxMessageBytes() {
        return maxMessageBytes;
    }

    // ---------------------------------------------------------------- encoding

    /**
     * The message's bytes.
     *
     * @throws IllegalArgumentException if a field is past a bound (then no node could decode it)
     */
    public byte[] encode(Message m) {
        byte[] space = utf8(m.space(), "space");
        byte[] event = utf8(m.event(), "event");
        byte[] node = utf8(m.originNode(), "originNode");
        byte[] protocol = utf8(m.originProtocol(), "originProtocol");
        byte[][] rooms = strings(m.rooms(), "rooms");
        byte[][] except = strings(m.exceptRooms(), "exceptRooms");
        byte[][] exceptIds = strings(m.exceptIds(), "exceptIds");
        byte[][] headers = headers(m.headers());
        if (m.attachmentCount() > MAX_ATTACHMENTS) {
            throw new IllegalArgumentException("more than " + MAX_ATTACHMENTS + " attachments");
        }
        long size = 4 + 16 + strSize(space) + strSize(event) + setSize(rooms) + setSize(except) + setSize(exceptIds)
                + strSize(node) + strSize(protocol) + setSize(headers);
        int flags = (m.isVolatile() ? F_VOLATILE : 0) | (m.local() ? F_LOCAL : 0) | (m.compress() ? F_COMPRESS : 0);
        if (m.ackId() >= 0) {
            flags |= F_ACK;
            size += varlongSize(m.ackId());
        }
        if (m.position() >= 0) {
            flags |= F_POSITION;
            size += varlongSize(m.position());
        }
        byte[] args = m.rawArguments();
        size += varintSize(args.length) + args.length + varintSize(m.attachmentCount());
        for (int i = 0; i < m.attachmentCount(); i++) {
            int n = m.rawAttachment(i).length;
            size += varintSize(n) + n;
        }
        if (size > maxMessageBytes) {
            throw new IllegalArgumentException("message of " + size + " bytes is over the codec's bound of "
                    + maxMessageBytes);
        }
        ByteBuffer out = ByteBuffer.allocate((int) size);
        out.put(MAGIC0).put(MAGIC1).put((byte) VERSION).put((byte) flags);
        out.putLong(m.id().hi()).putLong(m.id().lo());
        putStr(out, space);
        putStr(out, event);
        putSet(out, rooms);
        putSet(out, except);
        putSet(out, exceptIds);
        if ((flags & F_ACK) != 0) {
            putVarlong(out, m.ackId());
        }
        if ((flags & F_POSITION) != 0) {
            putVarlong(out, m.position());
        }
        putStr(out, node);
        putStr(out, protocol);
        putSet(out, headers);
        putStr(out, args);
        putVarlong(out, m.attachmentCount());
        for (int i = 0; i < m.attachmentCount(); i++) {
            putStr(out, m.rawAttachment(i));
        }
        return out.array();
    }

    private static byte[] utf8(String s, String field) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > MAX_STRING) {
            throw new IllegalArgumentException(field + " is " + b.length + " bytes, over " + MAX_STRING);
        }
        return b;
    }

    private static byte[][] strings(Set<String> set, String field) {
        if (set.size() > MAX_ENTRIES) {
            throw new IllegalArgumentException(field + " has " + set.size() + " entries, over " + MAX_ENTRIES);
        }
        byte[][] out = new byte[set.size()][];
        int i = 0;
        for (String s : set) {
            out[i++] = utf8(s, field);
        }
        return out;
    }

    /** Names and values interleaved. */
    private static byte[][] headers(Map<String, String> headers) {
        if (headers.size() > MAX_ENTRIES) {
            throw new IllegalArgumentException("headers has " + headers.size() + " entries, over " + MAX_ENTRIES);
        }
        byte[][] out = new byte[headers.size() * 2][];
        int i = 0;
        for (Map.Entry<String, String> e : headers.entrySet()) {
            out[i++] = utf8(e.getKey(), "header name");
            out[i++] = utf8(e.getValue(), "header value");
        }
        return out;
    }

    private static long strSize(byte[] b) {
        return varintSize(b.length) + b.length;
    }

    private static long setSize(byte[][] entries) {
        long n = varintSize(entries.length);
        for (byte[] e : entries) {
            n += strSize(e);
        }
        return n;
    }

    private static int varintSize(long v) {
        int n = 1;
        while ((v >>>= 7) != 0) {
            n++;
        }
        return n;
    }

    private static int varlongSize(long v) {
        return varintSize(v);
    }

    private static void putVarlong(ByteBuffer out, long v) {
        while ((v & ~0x7FL) != 0) {
            out.put((byte) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.put((byte) v);
    }

    private static void putStr(ByteBuffer out, byte[] b) {
        putVarlong(out, b.length);
        out.put(b);
    }

    private static void putSet(ByteBuffer out, byte[][] entries) {
        // For headers the entries are names and values interleaved: the count written is 2 per header.
        putVarlong(out, entries.length);
        for (byte[] e : entries) {
            putStr(out, e);
        }
    }

    // ---------------------------------------------------------------- decoding

    /** Decodes a whole array; see {@link #decode(byte[], int, int)}. */
    public Message decode(byte[] bytes) throws MessageFormatException {
        return decode(bytes, 0, bytes.length);
    }

    /**
     * Decodes {@code length} bytes of {@code bytes} from {@code offset}: exactly one message, nothing
     * after it.
     *
     * @throws MessageFormatException for anything that is not a message of a known version, within bounds
     */
    public Message decode(byte[] bytes, int offset, int length) throws MessageFormatException {
        if (length > maxMessageBytes) {
            throw new MessageFormatException("message of " + length + " bytes is over the codec's bound of "
                    + maxMessageBytes);
        }
        Reader r = new Reader(bytes, offset, length);
        if (r.remaining() < 4 || r.u8() != MAGIC0 || r.u8() != MAGIC1) {
            throw new MessageFormatException("not a Switchboard message: magic 'SB' expected");
        }
        int version = r.u8();
        if (version != VERSION) {
            throw new MessageFormatException("message format version " + version + " not supported (this node reads "
                    + VERSION + ")");
        }
        int flags = r.u8();
        if ((flags & ~F_KNOWN) != 0) {
            throw new MessageFormatException("unknown flags 0x" + Integer.toHexString(flags & ~F_KNOWN));
        }
        MessageId id = MessageId.of(r.i64("id"), r.i64("id"));
        Message.Builder b = Message.builder(r.str("space"), r.str("event")).id(id);
        b.rooms(r.set("rooms")).exceptRooms(r.set("exceptRooms")).exceptIds(r.set("exceptIds"));
        if ((flags & F_ACK) != 0) {
            b.ackId(r.varlong("ackId"));
        }
        if ((flags & F_POSITION) != 0) {
            b.position(r.varlong("position"));
        }
        b.origin(r.str("originNode"), r.str("originProtocol"));
        b.headers(r.headers());
        byte[] args = r.bytes("arguments", Integer.MAX_VALUE);
        if (args.length < 2 || args[0] != '[' || args[args.length - 1] != ']') {
            throw new MessageFormatException("arguments: a JSON array expected");
        }
        int n = r.count("attachments", MAX_ATTACHMENTS);
        byte[][] attachments = new byte[n][];
        for (int i = 0; i < n; i++) {
            attachments[i] = r.bytes("attachment " + i, Integer.MAX_VALUE);
        }
        if (r.remaining() != 0) {
            throw new MessageFormatException(r.remaining() + " bytes after the message");
        }
        b.owned(args, attachments).isVolatile((flags & F_VOLATILE) != 0).local((flags & F_LOCAL) != 0)
                .compress((flags & F_COMPRESS) != 0);
        return b.build();
    }

    /** A cursor over the input; every read checks the bytes that remain. */
    private static final class Reader {
        private final byte[] buf;
        private int pos;
        private final int end;
        /** Made on the first string that is not ASCII (most names are). */
        private CharsetDecoder utf8;

        Reader(byte[] buf, int offset, int length) throws MessageFormatException {
            if (offset < 0 || length < 0 || offset > buf.length - length) {
                throw new MessageFormatException("range " + offset + "+" + length + " outside an array of " + buf.length);
            }
            this.buf = buf;
            this.pos = offset;
            this.end = offset + length;
        }

        int remaining() {
            return end - pos;
        }

        int u8() throws MessageFormatException {
            if (pos >= end) {
                throw new MessageFormatException("truncated header");
            }
            return buf[pos++] & 0xFF;
        }

        long i64(String field) throws MessageFormatException {
            if (remaining() < 8) {
                throw new MessageFormatException(field + ": truncated");
            }
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (buf[pos++] & 0xFF);
            }
            return v;
        }

        long varlong(String field) throws MessageFormatException {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= end) {
                    throw new MessageFormatException(field + ": truncated number");
                }
                int b = buf[pos++] & 0xFF;
                v |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    if (v < 0) {
                        throw new MessageFormatException(field + ": number out of range");
                    }
                    return v;
                }
            }
            throw new MessageFormatException(field + ": number longer than 10 bytes");
        }

        int count(String field, int max) throws MessageFormatException {
            long n = varlong(field);
            if (n > max) {
                throw new MessageFormatException(field + ": " + n + " entries, at most " + max);
            }
            // Each entry takes at least one byte: a count past the remaining bytes is a lie.
            if (n > remaining()) {
                throw new MessageFormatException(field + ": " + n + " entries but " + remaining() + " bytes left");
            }
            return (int) n;
        }

        byte[] bytes(String field, int max) throws MessageFormatException {
            long n = varlong(field);
            if (n > max) {
                throw new MessageFormatException(field + ": " + n + " bytes, at most " + max);
            }
            if (n > remaining()) {
                throw new MessageFormatException(field + ": " + n + " bytes but " + remaining() + " left");
            }
            byte[] out = new byte[(int) n];
            System.arraycopy(buf, pos, out, 0, out.length);
            pos += out.length;
            return out;
        }

        String str(String field) throws MessageFormatException {
            long n = varlong(field);
            if (n > MAX_STRING) {
                throw new MessageFormatException(field + ": " + n + " bytes, at most " + MAX_STRING);
            }
            if (n > remaining()) {
                throw new MessageFormatException(field + ": " + n + " bytes but " + remaining() + " left");
            }
            int len = (int) n;
            if (isAscii(buf, pos, len)) {
                // ASCII is valid UTF-8 and maps byte for byte: a compact String, no decoder.
                String ascii = new String(buf, pos, len, StandardCharsets.ISO_8859_1);
                pos += len;
                return ascii;
            }
            if (utf8 == null) {
                utf8 = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
            }
            try {
                CharBuffer chars = utf8.reset().decode(ByteBuffer.wrap(buf, pos, len));
                pos += (int) n;
                return chars.toString();
            } catch (CharacterCodingException e) {
                throw new MessageFormatException(field + ": not UTF-8");
            }
        }

        private static boolean isAscii(byte[] b, int from, int len) {
            for (int i = from; i < from + len; i++) {
                if (b[i] < 0) {
                    return false;
                }
            }
            return true;
        }

        Set<String> set(String field) throws MessageFormatException {
            int n = count(field, MAX_ENTRIES);
            if (n == 0) {
                return Set.of();
            }
            Set<String> out = new HashSet<>(Math.max(4, n * 2));
            for (int i = 0; i < n; i++) {
                out.add(str(field));
            }
            return out;
        }

        Map<String, String> headers() throws MessageFormatException {
            int n = count("headers", MAX_ENTRIES * 2);
            if ((n & 1) != 0) {
                throw new MessageFormatException("headers: odd number of names and values");
            }
            if (n == 0) {
                return Map.of();
            }
            Map<String, String> out = new HashMap<>(Math.max(4, n));
            for (int i = 0; i < n; i += 2) {
                String name = str("header name");
                if (out.put(name, str("header value")) != null) {
                    throw new MessageFormatException("headers: '" + name + "' twice");
                }
            }
            return out;
        }
    }
}
