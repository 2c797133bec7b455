package dev.switchboard.core.routing;

import java.util.Objects;
import java.util.Set;

/**
 * One message to deliver: to the union of the subscribers of {@code to} (or of the whole space when
 * {@code to} is empty), minus the subscribers of {@code except} and the subscribers whose id is in
 * {@code exceptIds}. Each subscriber receives it at most once however many of the topics it is in.
 *
 * @param space     the space all topics belong to (a Socket.IO namespace)
 * @param to        the rooms; empty means every subscriber of the space
 * @param except    rooms whose subscribers are excluded
 * @param exceptIds subscriber ids excluded (the sender, for {@code socket.broadcast})
 * @param encoder   encodes once per wire format
 * @param isVolatile drop for subscribers that cannot take it now, instead of queueing
 * @param local     deliver on this node only (no backplane)
 */
public record Publication(
        String space,
        Set<String> to,
        Set<String> except,
        Set<String> exceptIds,
        MessageEncoder encoder,
        boolean isVolatile,
        boolean local) {

    public Publication {
        Objects.requireNonNull(space, "space");
        to = Set.copyOf(to);
        except = Set.copyOf(except);
        exceptIds = Set.copyOf(exceptIds);
        Objects.requireNonNull(encoder, "encoder");
    }

    public boolean wholeSpace() {
        return to.isEmpty();
    }
}
