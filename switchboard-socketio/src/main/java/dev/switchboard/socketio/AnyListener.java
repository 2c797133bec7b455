package dev.switchboard.socketio;

import java.util.List;

/** Sees every incoming ({@link Socket#onAny}) or outgoing ({@link Socket#onAnyOutgoing}) event of a socket. */
@FunctionalInterface
public interface AnyListener {

    void onAny(String event, List<Object> args);
}
