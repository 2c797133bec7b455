package dev.switchboard.server.auth;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.switchboard.server.config.ConfigProblem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Who may connect and call the API: {@code switchboard.auth.jwt} (token verification), and the API's
 * static tokens with their scopes ({@code switchboard.api.token}, {@code switchboard.api.tokens}) and
 * {@code switchboard.api.insecure}. Documented in {@code switchboard-reference.conf} and
 * {@code docs/security.md}.
 *
 * @param apiTokens   static API tokens; {@code switchboard.api.token} is one with every scope
 * @param apiInsecure whether the API may run without any token on a non-loopback interface
 */
public record AuthSettings(JwtSettings jwt, List<ApiToken> apiTokens, boolean apiInsecure) {

    /** The scopes of the HTTP API. */
    public static final Set<String> SCOPES = Set.of(Scope.PUBLISH, Scope.ADMIN, Scope.HISTORY, Scope.INBOX);

    /** Scope names, as tokens carry them. */
    public static final class Scope {
        public static final String PUBLISH = "publish";
        public static final String ADMIN = "admin";
        public static final String HISTORY = "history";
        public static final String INBOX = "inbox";

        private Scope() {}
    }

    /** A static API token and what it may do. */
    public record ApiToken(String token, Set<String> scopes) {
        public ApiToken {
            scopes = Set.copyOf(scopes);
        }

        @Override
        public String toString() {
            return "ApiToken[***, scopes=" + scopes + "]";
        }
    }

    public AuthSettings {
        apiTokens = List.copyOf(apiTokens);
    }

    public static AuthSettings defaults() {
        return new AuthSettings(JwtSettings.off(), List.of(), false);
    }

    /** Whether the API checks tokens (static ones, or JWTs with a {@code scope} claim). */
    public boolean apiTokenRequired() {
        return !apiTokens.isEmpty() || jwt.enabled();
    }

    /** Reads {@code switchboard.auth} and the token keys of {@code switchboard.api}, already merged with defaults. */
    public static AuthSettings read(Config c) throws ConfigProblem {
        String secret = c.getString("switchboard.auth.jwt.hmac-secret");
        if (!secret.isEmpty() && secret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length < JwtSettings.MIN_SECRET_BYTES) {
            throw new ConfigProblem("switchboard.auth.jwt.hmac-secret: must have at least " + JwtSettings.MIN_SECRET_BYTES
                    + " bytes (HS256 needs 256 bits), found " + secret.length());
        }
        JwtSettings jwt = new JwtSettings(secret,
                file(c, "switchboard.auth.jwt.public-key-file"),
                file(c, "switchboard.auth.jwt.jwks-file"),
                c.getString("switchboard.auth.jwt.issuer"),
                c.getString("switchboard.auth.jwt.audience"),
                duration(c, "switchboard.auth.jwt.leeway", true),
                duration(c, "switchboard.auth.jwt.expiry-notice", true),
                duration(c, "switchboard.auth.jwt.expiry-grace", true));
        if (jwt.leeway().compareTo(Duration.ofMinutes(10)) > 0) {
            throw new ConfigProblem("switchboard.auth.jwt.leeway: at most 10m, found " + jwt.leeway());
        }
        if (jwt.enabled()) {
            try {
                TokenVerifier.jwt(jwt);
            } catch (IllegalArgumentException e) {
                throw new ConfigProblem("switchboard.auth.jwt: " + e.getMessage());
            }
        }

        List<ApiToken> tokens = new ArrayList<>();
        String single = c.getString("switchboard.api.token");
        if (!single.isEmpty()) {
            tokens.add(new ApiToken(single, SCOPES));
        }
        List<? extends Config> list;
        try {
            list = c.getConfigList("switchboard.api.tokens");
        } catch (ConfigException e) {
            throw new ConfigProblem("switchboard.api.tokens: expected a list of {token, scopes} objects");
        }
        for (int i = 0; i < list.size(); i++) {
            String key = "switchboard.api.tokens[" + i + "]";
            Config t = list.get(i);
            for (String k : t.root().keySet()) {
                if (!k.equals("token") && !k.equals("scopes")) {
                    throw new ConfigProblem(key + "." + k + ": unknown key (known: token, scopes)");
                }
            }
            if (!t.hasPath("token") || t.getString("token").length() < 16) {
                throw new ConfigProblem(key + ".token: a string of at least 16 characters is required");
            }
            Set<String> scopes;
            try {
                scopes = new LinkedHashSet<>(t.getStringList("scopes"));
            } catch (ConfigException e) {
                throw new ConfigProblem(key + ".scopes: a list of scopes is required (" + String.join(", ", sorted(SCOPES)) + ")");
            }
            for (String s : scopes) {
                if (!SCOPES.contains(s)) {
                    throw new ConfigProblem(key + ".scopes: unknown scope \"" + s + "\" (known: " + String.join(", ", sorted(SCOPES)) + ")");
                }
            }
            tokens.add(new ApiToken(t.getString("token"), scopes));
        }
        return new AuthSettings(jwt, tokens, c.getBoolean("switchboard.api.insecure"));
    }

    private static List<String> sorted(Set<String> s) {
        return s.stream().sorted().toList();
    }

    private static Optional<Path> file(Config c, String path) throws ConfigProblem {
        String s = c.getString(path);
        if (s.isBlank()) {
            return Optional.empty();
        }
        Path p = Path.of(s).toAbsolutePath().normalize();
        if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
            throw new ConfigProblem(path + ": file " + p + " not found or not readable");
        }
        return Optional.of(p);
    }

    private static Duration duration(Config c, String path, boolean allowZero) throws ConfigProblem {
        Duration d;
        try {
            d = c.getDuration(path);
        } catch (ConfigException e) {
            throw new ConfigProblem(path + ": expected a duration such as 500ms, 25s or 2m");
        }
        if (d.isNegative() || (!allowZero && d.isZero())) {
            throw new ConfigProblem(path + ": must be zero or more, found " + d);
        }
        return d;
    }
}
