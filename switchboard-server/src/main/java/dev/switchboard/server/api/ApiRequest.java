package dev.switchboard.server.api;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One HTTP request to the API, already read whole (the transport bounds the body size).
 *
 * @param path    the decoded path, without the query string
 * @param query   decoded query parameters (first value of each)
 * @param headers lower-case header names
 */
public record ApiRequest(String method, String path, Map<String, String> query, Map<String, String> headers, byte[] body) {

    public ApiRequest {
        method = method.toUpperCase(Locale.ROOT);
        query = Map.copyOf(query);
        headers = Map.copyOf(headers);
    }

    public Optional<String> header(String lowerCaseName) {
        return Optional.ofNullable(headers.get(lowerCaseName));
    }
}
