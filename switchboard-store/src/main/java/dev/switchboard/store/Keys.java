package dev.switchboard.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Key and value layouts. All integers are big-endian so that RocksDB's bytewise order is numeric order.
 *
 * <pre>
 * entry key  = u16 nameLength | name (UTF-8) | u64 sequence      (stream offset or queue message id)
 * meta key   = name (UTF-8)
 * stream value      = u64 appendMillis | payload                                 (written before message ids)
 *                   | u64 (appendMillis | ID_FLAG) | u16 idLength | id (UTF-8) | payload
 * stream meta value = u64 firstOffset | u64 nextOffset | u64 retainedBytes | u64 lastAppendMillis | u64 lastDroppedMillis
 * queue value       = u64 enqueuedMillis | payload
 * queue state value = u32 deliveries
 * dead value        = u64 enqueuedMillis | u32 deliveries | payload
 * queue meta value  = u64 nextId | u64 depth
 * </pre>
 *
 * The length prefix keeps one name's keys contiguous and never a prefix of another name's range.
 * Sequences are non-negative, and {@link Long#MAX_VALUE} is never used, so {@code key(name, MAX)}
 * is an exclusive upper bound for a name's whole range.
 */
final class Keys {

    /** Longest name in UTF-8 bytes: room and user ids are short; the bound keeps keys small. */
    static final int MAX_NAME_BYTES = 1024;

    private Keys() {}

    static byte[] name(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("stream or queue name must not be empty");
        }
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_NAME_BYTES) {
            throw new IllegalArgumentException("name is " + bytes.length + " bytes in UTF-8, at most " + MAX_NAME_BYTES + " allowed");
        }
        return bytes;
    }

    static byte[] key(byte[] name, long sequence) {
        return ByteBuffer.allocate(2 + name.length + 8)
                .putShort((short) name.length).put(name).putLong(sequence).array();
    }

    static long sequence(byte[] key) {
        return ByteBuffer.wrap(key, key.length - 8, 8).getLong();
    }

    static String nameOfMeta(byte[] metaKey) {
        return new String(metaKey, StandardCharsets.UTF_8);
    }

    static byte[] streamValue(long millis, byte[] payload) {
        return ByteBuffer.allocate(8 + payload.length).putLong(millis).put(payload).array();
    }

    /**
     * Marks a stream value that carries its message id. Append times are epoch milliseconds, far below
     * 2^62, so the top bit is free; values written before ids existed never have it set.
     */
    static final long ID_FLAG = 1L << 63;

    /** Longest message id or de-duplication key, in UTF-8 bytes. */
    static final int MAX_ID_BYTES = 1024;

    static byte[] id(String id) {
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("message id / dedup key must not be empty");
        }
        byte[] bytes = id.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_ID_BYTES) {
            throw new IllegalArgumentException("message id is " + bytes.length + " bytes in UTF-8, at most " + MAX_ID_BYTES + " allowed");
        }
        return bytes;
    }

    static byte[] streamEntry(long millis, byte[] messageId, byte[] payload) {
        return ByteBuffer.allocate(8 + 2 + messageId.length + payload.length)
                .putLong(millis | ID_FLAG).putShort((short) messageId.length).put(messageId).put(payload).array();
    }

    static long entryMillis(byte[] value) {
        return ByteBuffer.wrap(value, 0, 8).getLong() & ~ID_FLAG;
    }

    private static int entryPayloadStart(byte[] value) {
        if ((value[0] & 0x80) == 0) {
            return 8;
        }
        return 10 + ((value[8] & 0xff) << 8 | (value[9] & 0xff));
    }

    static int entryPayloadLength(byte[] value) {
        return value.length - entryPayloadStart(value);
    }

    static byte[] entryPayload(byte[] value) {
        int start = entryPayloadStart(value);
        byte[] p = new byte[value.length - start];
        System.arraycopy(value, start, p, 0, p.length);
        return p;
    }

    /** The message id of a stream value, or null for one written before ids existed. */
    static String entryMessageId(byte[] value) {
        if ((value[0] & 0x80) == 0) {
            return null;
        }
        int len = (value[8] & 0xff) << 8 | (value[9] & 0xff);
        return new String(value, 10, len, StandardCharsets.UTF_8);
    }

    static long millis(byte[] value) {
        return ByteBuffer.wrap(value, 0, 8).getLong();
    }

    static byte[] payloadAfterMillis(byte[] value) {
        byte[] p = new byte[value.length - 8];
        System.arraycopy(value, 8, p, 0, p.length);
        return p;
    }

    static byte[] streamMeta(long first, long next, long bytes, long lastAppendMillis, long lastDroppedMillis) {
        return ByteBuffer.allocate(40).putLong(first).putLong(next).putLong(bytes)
                .putLong(lastAppendMillis).putLong(lastDroppedMillis).array();
    }

    static long metaField(byte[] meta, int index) {
        return ByteBuffer.wrap(meta, index * 8, 8).getLong();
    }

    static byte[] deliveries(int count) {
        return ByteBuffer.allocate(4).putInt(count).array();
    }

    static int deliveries(byte[] value) {
        return ByteBuffer.wrap(value).getInt();
    }

    static byte[] deadValue(byte[] queueValue, int deliveries) {
        return ByteBuffer.allocate(queueValue.length + 4)
                .put(queueValue, 0, 8).putInt(deliveries).put(queueValue, 8, queueValue.length - 8).array();
    }

    static int deadDeliveries(byte[] deadValue) {
        return ByteBuffer.wrap(deadValue, 8, 4).getInt();
    }

    static byte[] deadPayload(byte[] deadValue) {
        byte[] p = new byte[deadValue.length - 12];
        System.arraycopy(deadValue, 12, p, 0, p.length);
        return p;
    }

    static byte[] queueMeta(long nextId, long depth) {
        return ByteBuffer.allocate(16).putLong(nextId).putLong(depth).array();
    }
}
