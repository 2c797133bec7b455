package dev.switchboard.bench.load;

import java.io.IOException;
import java.net.ConnectException;
import java.util.Locale;

/**
 * Why a connection could not be made, named after the limit it points at: a report must say whether
 * the load generator ran out of descriptors or ports, or whether the server refused.
 */
public enum ConnectFailure {
    /** EMFILE/ENFILE: this process's {@code nofile} limit (see {@link FdLimits}). */
    DESCRIPTORS(true),
    /** EADDRNOTAVAIL/EADDRINUSE: the ephemeral ports of a source address are used up. */
    EPHEMERAL_PORTS(true),
    /** ECONNREFUSED: nothing listening, or the server's accept backlog overflowed. */
    REFUSED(false),
    /** Connection reset or closed before the Socket.IO handshake completed. */
    CLOSED(false),
    /** No answer within the handshake timeout. */
    TIMEOUT(false),
    /** The server answered, but not with a valid Engine.IO / Socket.IO handshake. */
    HANDSHAKE(false),
    /** Anything else; the message is logged once. */
    OTHER(false);

    private final boolean localLimit;

    ConnectFailure(boolean localLimit) {
        this.localLimit = localLimit;
    }

    /** True when retrying cannot help: a limit of this machine, not of the server, was hit. */
    public boolean localLimit() {
        return localLimit;
    }

    /** Classifies a failure by the exception the connect attempt ended with. */
    public static ConnectFailure of(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof HandshakeException) {
                return HANDSHAKE;
            }
            String m = String.valueOf(c.getMessage()).toLowerCase(Locale.ROOT);
            if (m.contains("too many open files")) {
                return DESCRIPTORS;
            }
            if (m.contains("cannot assign requested address") || m.contains("address already in use")) {
                return EPHEMERAL_PORTS;
            }
            if (m.contains("connection refused")) {
                return REFUSED;
            }
            if (m.contains("timed out") || m.contains("timeout")) {
                return TIMEOUT;
            }
            if (m.contains("reset") || m.contains("closed") || m.contains("broken pipe")) {
                return CLOSED;
            }
            if (c instanceof ConnectException) {
                return REFUSED;
            }
            if (c instanceof IOException && c.getCause() == null) {
                return OTHER;
            }
        }
        return OTHER;
    }

    /** The server answered something other than a valid handshake. */
    public static final class HandshakeException extends IOException {
        private static final long serialVersionUID = 1L;

        public HandshakeException(String message) {
            super(message);
        }
    }
}
