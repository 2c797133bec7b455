package dev.switchboard.server.api;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/** A complete HTTP response of the API: status, content type, extra headers and body bytes. */
public record ApiResponse(int status, String contentType, Map<String, String> headers, byte[] body) {

    public static final String JSON = "application/json; charset=utf-8";

    public ApiResponse {
        headers = Map.copyOf(headers);
    }

    public static ApiResponse json(int status, byte[] body) {
        return new ApiResponse(status, JSON, Map.of(), body);
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
