package dev.switchboard.server.api;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;

/**
 * Fuzz target of the HTTP API's request handling (routing, method, token check, query parameters, JSON
 * bodies): whatever the request, the answer is a JSON response below 500, never an exception or an
 * internal error. Runs on its seeds ({@code ApiFuzzTestInputs/}) in every build; fuzz it with
 * {@code JAZZER_FUZZ=1} (see docs/security.md).
 */
class ApiFuzzTest {

    private static final String[] PATHS = {"/api/publish", "/api/join", "/api/leave", "/api/disconnect",
        "/api/rooms", "/api/sockets", "/api/namespaces", "/api/nope", "/api/publish/"};
    private static final String[] METHODS = {"GET", "POST", "PUT"};
    private final HttpApi api = new HttpApi(new HttpApiTest.RecordingAdmin(), ApiAuth.staticToken("tok"),
            new SimpleMeterRegistry(), java.util.List.of());

    @FuzzTest(maxDuration = "5m")
    void requests(FuzzedDataProvider data) {
        String method = data.pickValue(METHODS);
        String path = data.consumeBoolean() ? data.pickValue(PATHS) : "/api/" + data.consumeString(20);
        Map<String, String> query = data.consumeBoolean()
                ? Map.of(data.consumeString(10), data.consumeString(30)) : Map.of();
        String auth = data.consumeBoolean() ? "Bearer tok" : data.consumeString(20);
        String contentType = data.consumeBoolean() ? "application/json" : data.consumeString(20);
        byte[] body = data.consumeRemainingAsBytes();
        ApiResponse r = api.handle(new ApiRequest(method, path, query,
                Map.of("authorization", auth, "content-type", contentType), body));
        if (r.status() >= 500) {
            throw new IllegalStateException(method + " " + path + " answered " + r.status() + ": "
                    + new String(r.body(), java.nio.charset.StandardCharsets.UTF_8));
        }
    }
}
