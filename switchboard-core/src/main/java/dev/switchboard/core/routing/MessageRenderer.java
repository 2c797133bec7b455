package dev.switchboard.core.routing;

import dev.switchboard.core.message.Message;
import io.netty.buffer.ByteBufAllocator;

/**
 * How one protocol turns a {@link Message} into the frames of one of its {@link WireFormat}s. Registered
 * with {@link Router#register}; the router calls it lazily, at most once per format per publication on
 * each node, and only for formats that a resolved subscriber uses.
 *
 * <p>Threading: called on whichever thread publishes (an event loop, an HTTP worker, the backplane's
 * receiver); must be thread-safe and must not block. It must not depend on the subscriber.
 */
@FunctionalInterface
public interface MessageRenderer {

    /**
     * Renders {@code message} for {@code format}, allocating from {@code alloc}.
     *
     * @return a new message with reference count 1, owned by the caller; or {@code null} when this
     *         renderer cannot express that message in {@code format} (its subscribers are then skipped
     *         and counted as {@code unrenderable}). Throwing counts the same and is logged.
     */
    EncodedMessage render(Message message, WireFormat format, ByteBufAllocator alloc);
}
