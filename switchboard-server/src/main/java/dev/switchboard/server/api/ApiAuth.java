package dev.switchboard.server.api;

import dev.switchboard.server.auth.AuthException;
import dev.switchboard.server.auth.AuthSettings;
import dev.switchboard.server.auth.Identity;
import dev.switchboard.server.auth.SocketAuthenticator;
import dev.switchboard.server.auth.TokenVerifier;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one token check of every HTTP API route: {@code Authorization: Bearer <token>}, where the token is
 * a static one from the configuration (with its scopes) or, when JWT authentication is on, a JWT whose
 * {@code scope} claim lists its scopes. No token configured at all: every request passes (the server
 * refuses to start that way on a non-loopback interface unless {@code switchboard.api.insecure}).
 * Refusals: 401 (no token, an unknown one, an invalid JWT, with the reason), 403 (a valid token without
 * the scope); each counted in {@code switchboard_auth_refusals_total{protocol="http",reason}}.
 * Thread-safe.
 */
public final class ApiAuth {

    private final List<AuthSettings.ApiToken> tokens;
    private final List<byte[]> tokenBytes;
    private final TokenVerifier jwt;
    private final MeterRegistry registry;

    public ApiAuth(List<AuthSettings.ApiToken> tokens, Optional<TokenVerifier> jwt, MeterRegistry registry) {
        this.tokens = List.copyOf(tokens);
        this.tokenBytes = this.tokens.stream().map(t -> t.token().getBytes(StandardCharsets.UTF_8)).toList();
        this.jwt = jwt.orElse(null);
        this.registry = registry;
    }

    /** From the server's settings; {@code jwt} is the verifier shared with Socket.IO, if JWT is on. */
    public static ApiAuth of(AuthSettings settings, Optional<TokenVerifier> jwt, MeterRegistry registry) {
        return new ApiAuth(settings.apiTokens(), jwt, registry);
    }

    /** One static token with every scope; empty: no check at all. */
    public static ApiAuth staticToken(String token) {
        return new ApiAuth(token.isEmpty() ? List.of() : List.of(new AuthSettings.ApiToken(token, AuthSettings.SCOPES)),
                Optional.empty(), new SimpleMeterRegistry());
    }

    /** Whether requests need a token. */
    public boolean required() {
        return !tokens.isEmpty() || jwt != null;
    }

    /**
     * @param scope the scope the operation needs; null: any valid token
     * @return who called ({@code sub} of a JWT, {@code "api-token"} for a static one, {@code "anonymous"}
     *         when no token is required)
     * @throws ApiError 401 or 403
     */
    public Identity check(ApiRequest request, String scope) {
        if (!required()) {
            return new Identity("anonymous", AuthSettings.SCOPES, Map.of(), Instant.MAX);
        }
        String header = request.header("authorization").orElse("");
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7) || header.substring(7).isBlank()) {
            throw refuse(401, "token missing", "missing bearer token: send 'Authorization: Bearer <token>'");
        }
        String given = header.substring(7).trim();
        Identity who = matchStatic(given);
        if (who == null && jwt != null && given.chars().filter(c -> c == '.').count() == 2) {
            try {
                who = jwt.verify(given);
            } catch (AuthException e) {
                throw refuse(401, e.reason(), "bearer token refused: " + e.reason());
            }
        }
        if (who == null) {
            throw refuse(401, "wrong token", "wrong bearer token");
        }
        if (scope != null && !who.scopes().contains(scope)) {
            throw refuse(403, "missing scope", "this token lacks the '" + scope + "' scope this operation needs");
        }
        return who;
    }

    /** The static token equal to {@code given}, compared in constant time with each, or null. */
    private Identity matchStatic(String given) {
        byte[] g = given.getBytes(StandardCharsets.UTF_8);
        AuthSettings.ApiToken match = null;
        for (int i = 0; i < tokens.size(); i++) {
            // Every token is compared (no early exit), so timing tells nothing about which or how much matched.
            if (MessageDigest.isEqual(g, tokenBytes.get(i)) && match == null) {
                match = tokens.get(i);
            }
        }
        return match == null ? null : new Identity("api-token", match.scopes(), Map.of(), Instant.MAX);
    }

    private ApiError refuse(int status, String reason, String message) {
        SocketAuthenticator.countRefusal(registry, "http", reason);
        return new ApiError(status, status == 401 ? "unauthorized" : "forbidden", message);
    }
}
