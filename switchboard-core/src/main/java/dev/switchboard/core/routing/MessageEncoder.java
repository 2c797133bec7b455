package dev.switchboard.core.routing;

import io.netty.buffer.ByteBufAllocator;

/**
 * Encodes a publication for one wire format. The fabric calls it at most once per format per
 * publication, from whichever thread publishes; it must not depend on the subscriber.
 */
@FunctionalInterface
public interface MessageEncoder {

    /** Returns a new message with reference count 1, owned by the caller. */
    EncodedMessage encode(WireFormat format, ByteBufAllocator alloc);
}
