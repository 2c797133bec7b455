package dev.switchboard.socketio;

/** Receives the first argument of an event converted by Jackson, see {@link Socket#on(String, Class, TypedEventListener)}. */
@FunctionalInterface
public interface TypedEventListener<T> {

    void onEvent(T payload, Ack ack) throws Exception;
}
