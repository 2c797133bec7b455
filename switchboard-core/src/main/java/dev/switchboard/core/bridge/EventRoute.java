package dev.switchboard.core.bridge;

import java.util.Objects;

/**
 * A client event routed to a bridge: events named {@code event} that clients emit in {@code space} go to
 * {@link BridgeHandle#send} (listeners of user code, if any, still run), and the client's acknowledgement waits for the
 * bridge's confirmation. Read by the protocol layer (Socket.IO) that receives the events.
 */
public record EventRoute(String space, String event) {

    public EventRoute {
        Objects.requireNonNull(space, "space");
        Objects.requireNonNull(event, "event");
        if (!space.startsWith("/")) {
            throw new IllegalArgumentException("a namespace starts with '/', was '" + space + "'");
        }
        if (event.isEmpty()) {
            throw new IllegalArgumentException("an event name cannot be empty");
        }
    }
}
