package dev.switchboard.core.routing;

import io.netty.buffer.ByteBuf;
import io.netty.util.AbstractReferenceCounted;
import io.netty.util.ReferenceCounted;
import java.util.Objects;

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
 */
public final class EncodedMessage extends AbstractReferenceCounted {

    private final WireFormat format;
    private final ByteBuf[] frames;

    private EncodedMessage(WireFormat format, ByteBuf[] frames) {
        this.format = format;
        this.frames = frames;
    }

    /** Takes ownership of {@code frames}: they are released with this message. */
    public static EncodedMessage of(WireFormat format, ByteBuf... frames) {
        Objects.requireNonNull(format, "format");
        if (frames.length == 0) {
            throw new IllegalArgumentException("an encoded message needs at least one frame");
        }
        return new EncodedMessage(format, frames.clone());
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
    }

    @Override
    public ReferenceCounted touch(Object hint) {
        for (ByteBuf f : frames) {
            f.touch(hint);
        }
        return this;
    }
}
