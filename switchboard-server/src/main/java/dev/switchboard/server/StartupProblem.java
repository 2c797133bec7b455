package dev.switchboard.server;

/** A condition that stops the server from starting (port in use, unusable data directory); one line. */
final class StartupProblem extends Exception {

    StartupProblem(String message) {
        super(message, null, false, false);
    }
}
