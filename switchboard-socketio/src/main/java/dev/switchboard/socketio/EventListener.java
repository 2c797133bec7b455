package dev.switchboard.socketio;

import java.util.List;

/**
 * Receives one event. Registered with {@link Socket#on} it runs on the socket's event loop: do not block
 * there (the watchdog names a listener that holds the loop); register one that blocks with
 * {@link Socket#onBlocking}, which runs it on the node's bounded worker pool. What it throws is logged
 * and answered with an error ack ({@link HandlerErrorAck}); the connection stays open.
 */
@FunctionalInterface
public interface EventListener {

    /**
     * @param args the event's arguments as plain Java values (maps keep key order, {@code byte[]} for
     *             binary), unmodifiable
     * @param ack  answers the sender's callback; a no-op when none was asked for
     */
    void onEvent(List<Object> args, Ack ack) throws Exception;
}
