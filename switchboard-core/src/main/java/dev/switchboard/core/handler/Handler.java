package dev.switchboard.core.handler;

/** A user's handler body, as the protocol layer wraps it (event, arguments and ack already bound). */
@FunctionalInterface
public interface Handler {
    void handle() throws Exception;
}
