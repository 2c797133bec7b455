package dev.switchboard.engineio;

/** Input that is not an Engine.IO v4 packet or payload; the message names what was wrong. */
final class PacketDecodeException extends Exception {

    PacketDecodeException(String message) {
        super(message, null, false, false);
    }
}
