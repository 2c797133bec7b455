package dev.switchboard.engineio;

/** The official engine.io server's error codes and messages ({@code Server.errors} / {@code errorMessages}). */
enum EngineIoError {
    UNKNOWN_TRANSPORT(0, "Transport unknown"),
    UNKNOWN_SID(1, "Session ID unknown"),
    BAD_HANDSHAKE_METHOD(2, "Bad handshake method"),
    BAD_REQUEST(3, "Bad request"),
    FORBIDDEN(4, "Forbidden"),
    UNSUPPORTED_PROTOCOL_VERSION(5, "Unsupported protocol version");

    final int code;
    final String message;

    EngineIoError(int code, String message) {
        this.code = code;
        this.message = message;
    }
}
