package dev.switchboard.server.config;

/**
 * A configuration the server refuses to start with. The message is one line naming the key, where it
 * was set and the reason, meant to be printed as is.
 */
public final class ConfigProblem extends Exception {

    public ConfigProblem(String message) {
        super(message, null, false, false);
    }
}
