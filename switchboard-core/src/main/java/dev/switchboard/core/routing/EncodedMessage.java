package dev.switchboard.core.routing;

import io.netty.buffer.ByteBuf;
import io.netty.util.AbstractReferenceCounted;
import io.netty.util.ReferenceCounted;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.UnaryOperator;

/**
 * A publication encoded for one {@link WireFormat}: one or more frames (a Socket.IO binary event is
 * a text frame followed by one frame per attachment), shared read-only by every subscriber of that
 * format.
 *
 * <p>Ownership: the fabric creates it with a reference count of 1 and releases it when every event
 * loop has written it. A {@link Subscriber} that writes a frame writes {@code frame(i).retainedDuplicate()}
 * (no copy; for a pooled buffer, which the router's allocator gives by default, a view recycled on the
 * event loop, so no per-subscriber allocation; an adaptive buffer's costs 40 bytes) and never releases
 * the message itself. Frames must not be modified after construction.
 *
 * <p>A format may also have a compressed form of a frame (a WebSocket frame deflated for connections
 * that negotiated permessage-deflate without context takeover, so the same bytes serve all of them):
 * {@link #compressedFrame} makes it on first use, once per message whichever event loop asks first,
 * and this message owns and releases it with its frames.
 */
public final class EncodedMessage extends AbstractReferenceCounted {

    private final WireFormat format;
    private final boolean compress;
    private final ByteBuf[] frames;
    /** Compressed forms of {@link #frames}, made on first use; null until one is asked for. */
    private volatile AtomicReferenceArray<ByteBuf> compressed;

    private EncodedMessage(WireFormat format, boolean compress, ByteBuf[] frames) {
        this.format = format;
        this.compress = compress;
        this.frames = frames;
    }

    /** Takes ownership of {@code frames}: they are released with this message. Not to be compressed. */
    public static EncodedMessage of(WireFormat format, ByteBuf... frames) {
        return of(format, false, frames);
    }

    /**
     * Takes ownership of {@code frames}: they are released with this message. {@code compress}: the
     * publisher allows compression (Socket.IO's {@code compress} flag), where the connection negotiated it.
     */
    public static EncodedMessage of(WireFormat format, boolean compress, ByteBuf... frames) {
        Objects.requireNonNull(format, "format");
        if (frames.length == 0) {
            throw new IllegalArgumentException("an encoded message needs at least one frame");
        }
        return new EncodedMessage(format, compress, frames.clone());
    }

    /** Whether the publisher allows compression of this message. */
    public boolean compress() {
        return compress;
    }

    /**
     * The compressed form of frame {@code i}, made by {@code compressor} (which borrows the frame and
     * returns a new buffer) on the first call for that frame; borrowed like {@link #frame}. When two
     * event loops race, both compress and the loser releases its copy: the bytes are the same, since a
     * compressor without context depends on the frame alone. Any thread, while the message is retained.
     */
    public ByteBuf compressedFrame(int i, UnaryOperator<ByteBuf> compressor) {
        AtomicReferenceArray<ByteBuf> c = compressed;
        if (c == null) {
            synchronized (this) {
                c = compressed;
                if (c == null) {
                    c = new AtomicReferenceArray<>(frames.length);
                    compressed = c;
                }
            }
        }
        ByteBuf done = c.get(i);
        if (done != null) {
            return done;
        }
        ByteBuf made = compressor.apply(frames[i].duplicate());
        if (c.compareAndSet(i, null, made)) {
            return made;
        }
        made.release();
        return c.get(i);
    }

    public WireFormat format() {
        return format;
    }

    public int frameCount() {
        return frames.length;
    }

    /** The i-th frame; borrowed: do not release, do not change its indices. */
    public ByteBuf frame(int i) {
        return frames[i];
    }

    /** Total readable bytes of all frames, for metrics. */
    public long byteCount() {
        long n = 0;
        for (ByteBuf f : frames) {
            n += f.readableBytes();
        }
        return n;
    }

    @Override
    protected void deallocate() {
        for (ByteBuf f : frames) {
            f.release();
        }
        AtomicReferenceArray<ByteBuf> c = compressed;
        if (c != null) {
            for (int i = 0; i < c.length(); i++) {
                ByteBuf f = c.get(i);
                if (f != null) {
                    f.release();
                }
            }
        }
    }

    @Override
    public ReferenceCounted touch(Object hint) {
        for (ByteBuf f : frames) {
            f.touch(hint);
        }
        return this;
    }
}
