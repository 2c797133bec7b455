package dev.switchboard.engineio;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayDeque;

/**
 * The packets of a polling session waiting for a GET, each already in its polling encoding, with
 * their byte count (which the transport holds against {@link EngineIoConfig#maxPendingBytes()}).
 * Owns every buffer it holds. Owned by the session's loop.
 */
final class PacketQueue {

    private final ArrayDeque<ByteBuf> packets = new ArrayDeque<>(4);
    private long bytes;

    /** Adds one packet (owned from now on); returns the bytes queued, this one included. */
    long add(ByteBuf packet) {
        packets.add(packet);
        bytes += packet.readableBytes();
        return bytes;
    }

    boolean isEmpty() {
        return packets.isEmpty();
    }

    /** The next packet, owned by the caller, or null; the byte count is reset by {@link #releaseAll}. */
    ByteBuf poll() {
        return packets.poll();
    }

    /** One payload of every queued packet (joined with the record separator), then releases them. */
    ByteBuf joinAndRelease(ByteBufAllocator alloc) {
        ByteBuf payload = PacketCodec.joinPayload(alloc, packets);
        releaseAll();
        return payload;
    }

    void releaseAll() {
        ByteBuf b;
        while ((b = packets.poll()) != null) {
            b.release();
        }
        bytes = 0;
    }
}
