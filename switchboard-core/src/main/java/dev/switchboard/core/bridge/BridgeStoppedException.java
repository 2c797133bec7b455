package dev.switchboard.core.bridge;

/** The bridge (or this incarnation of it) is not running: nothing was published or sent. No stack trace. */
public final class BridgeStoppedException extends RuntimeException {

    public BridgeStoppedException(String bridge) {
        super("bridge " + bridge + " is not running", null, false, false);
    }
}
