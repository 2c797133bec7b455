package dev.switchboard.server.api;

/**
 * An expected refusal of an API request: {@link HttpApi} renders it as {@code {"error": code, "message":
 * reason}} with its status, never as a stack trace in the log.
 */
public final class ApiError extends RuntimeException {

    private final int status;
    private final String code;

    public ApiError(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    public static ApiError badRequest(String message) {
        return new ApiError(400, "bad_request", message);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }
}
