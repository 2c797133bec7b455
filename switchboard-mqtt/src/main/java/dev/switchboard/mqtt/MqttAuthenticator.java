package dev.switchboard.mqtt;

import java.util.Objects;

/**
 * Decides whether a CONNECT may go on, from what it carries: the client id, the user name and the
 * password (where Switchboard's server puts a JWT). A refusal is answered with CONNACK
 * {@code Bad user name or password} (3.1.1: return code 4; 5.0: reason code 0x86 with the refusal as its
 * Reason String) and the connection is closed.
 *
 * <p>Threading: called on the connection's event loop, once per CONNECT: it must not block.
 */
@FunctionalInterface
public interface MqttAuthenticator {

    /** Lets every client in, with no user id. */
    MqttAuthenticator NONE = (clientId, userName, password) -> Result.accepted(null);

    /**
     * @param userName the CONNECT's user name, or null
     * @param password the CONNECT's password bytes, or null
     */
    Result authenticate(String clientId, String userName, byte[] password);

    /** A user id (null: anonymous) when accepted, else the reason it was refused. */
    record Result(String userId, String refusal) {

        public static Result accepted(String userId) {
            return new Result(userId, null);
        }

        public static Result refused(String reason) {
            return new Result(null, Objects.requireNonNull(reason, "reason"));
        }

        public boolean isAccepted() {
            return refusal == null;
        }
    }
}
