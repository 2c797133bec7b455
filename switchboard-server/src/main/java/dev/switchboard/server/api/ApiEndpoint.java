package dev.switchboard.server.api;

import java.util.concurrent.CompletableFuture;

/**
 * One operation of the HTTP API: where it is, what scope a token needs for it, and its handler.
 * {@link HttpApi} finds the endpoint, checks the token, runs the handler and renders its errors; the
 * handler only validates its input and does the work.
 *
 * @param method    HTTP method
 * @param path      exact path without a trailing slash, e.g. {@code /api/publish}
 * @param scope     the scope a token must have ({@code publish}, {@code admin}, {@code history},
 *                  {@code inbox}); null for a public endpoint (the OpenAPI document)
 * @param operation the name in metrics ({@code switchboard_api_request_seconds{operation}})
 */
public record ApiEndpoint(String method, String path, String scope, String operation, Handler handler) {

    /** Handles a request; may throw {@link ApiError} or complete exceptionally with one. */
    @FunctionalInterface
    public interface Handler {
        CompletableFuture<ApiResponse> handle(ApiRequest request);
    }
}
