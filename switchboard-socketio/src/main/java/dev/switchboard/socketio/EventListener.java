package dev.switchboard.socketio;

import java.util.List;

/**
 * Receives one event. Runs on the socket's event loop: do not block (hand long work to an executor and
 * call {@code ack.send} from there).
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
