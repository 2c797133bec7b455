package dev.switchboard.core.routing;

import java.util.Objects;

/**
 * An address messages are published to: a space (a Socket.IO namespace such as {@code /chat}, or
 * another protocol's realm such as {@code mqtt}) and a name inside it (a room, a topic).
 *
 * <p>Value type; cheap to keep as a map key. The empty name is not special here: a protocol that
 * needs "every subscriber of the space" publishes with {@link dev.switchboard.core.message.Message#wholeSpace()}.
 */
public record Topic(String space, String name) {

    public Topic {
        Objects.requireNonNull(space, "space");
        Objects.requireNonNull(name, "name");
    }

    public static Topic of(String space, String name) {
        return new Topic(space, name);
    }

    @Override
    public String toString() {
        return space + "#" + name;
    }
}
