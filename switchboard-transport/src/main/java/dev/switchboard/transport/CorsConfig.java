package dev.switchboard.transport;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Cross-origin resource sharing for HTTP routes (long-polling needs it when the page is served from
 * another origin; WebSocket does not). Immutable; built with {@link #anyOrigin()} or
 * {@link #origins(String...)} and the builder's setters.
 *
 * <p>Preflight {@code OPTIONS} requests are answered by the transport (Netty's {@code CorsHandler})
 * and never reach a route. Actual responses of an allowed origin carry
 * {@code Access-Control-Allow-Origin} (the request's origin when credentials are allowed, as browsers
 * refuse {@code *} with credentials) and, when enabled, {@code Access-Control-Allow-Credentials}.
 */
public final class CorsConfig {

    private final boolean anyOrigin;
    private final Set<String> origins;
    private final boolean allowCredentials;
    private final Set<String> allowedHeaders;
    private final Duration maxAge;

    private CorsConfig(Builder b) {
        this.anyOrigin = b.anyOrigin;
        this.origins = Set.copyOf(b.origins);
        this.allowCredentials = b.allowCredentials;
        this.allowedHeaders = Set.copyOf(b.allowedHeaders);
        this.maxAge = b.maxAge;
    }

    /** Any origin ({@code *}). */
    public static Builder anyOrigin() {
        Builder b = new Builder();
        b.anyOrigin = true;
        return b;
    }

    /** Only these exact origins, e.g. {@code https://app.example.com}. */
    public static Builder origins(String... origins) {
        return origins(List.of(origins));
    }

    /** Only these exact origins; {@code *} among them means any origin. */
    public static Builder origins(List<String> origins) {
        Builder b = new Builder();
        if (origins.isEmpty()) {
            throw new IllegalArgumentException("CORS needs at least one origin (or use anyOrigin())");
        }
        for (String o : origins) {
            Objects.requireNonNull(o, "origin");
            if (o.equals("*")) {
                b.anyOrigin = true;
            } else if (o.isBlank()) {
                throw new IllegalArgumentException("blank CORS origin");
            } else {
                b.origins.add(o);
            }
        }
        if (b.anyOrigin && !b.origins.isEmpty()) {
            throw new IllegalArgumentException("CORS origins mix '*' with explicit origins " + b.origins);
        }
        return b;
    }

    public boolean isAnyOrigin() {
        return anyOrigin;
    }

    /** The allowed origins; empty when {@link #isAnyOrigin()}. */
    public Set<String> origins() {
        return origins;
    }

    public boolean allowCredentials() {
        return allowCredentials;
    }

    /** Request headers a preflight may ask for; default {@code content-type}. */
    public Set<String> allowedHeaders() {
        return allowedHeaders;
    }

    /** How long a browser may cache a preflight answer; default 0 (not sent). */
    public Duration maxAge() {
        return maxAge;
    }

    @Override
    public String toString() {
        return "CorsConfig{origins=" + (anyOrigin ? "*" : origins) + ", credentials=" + allowCredentials
                + ", headers=" + allowedHeaders + ", maxAge=" + maxAge + '}';
    }

    /** Validating builder; {@link #build()} does not change it. */
    public static final class Builder {
        private boolean anyOrigin;
        private final Set<String> origins = new LinkedHashSet<>();
        private boolean allowCredentials;
        private final Set<String> allowedHeaders = new LinkedHashSet<>(List.of("content-type"));
        private Duration maxAge = Duration.ZERO;

        private Builder() {}

        /** Sends {@code Access-Control-Allow-Credentials: true}; default false. */
        public Builder allowCredentials(boolean allow) {
            this.allowCredentials = allow;
            return this;
        }

        /** Replaces the headers a preflight may request. */
        public Builder allowedHeaders(String... headers) {
            allowedHeaders.clear();
            for (String h : headers) {
                if (h == null || h.isBlank()) {
                    throw new IllegalArgumentException("blank CORS header name");
                }
                allowedHeaders.add(h);
            }
            return this;
        }

        /** Preflight cache duration, whole seconds; zero means the header is not sent. */
        public Builder maxAge(Duration maxAge) {
            if (maxAge.isNegative()) {
                throw new IllegalArgumentException("CORS maxAge must be >= 0, was " + maxAge);
            }
            this.maxAge = maxAge;
            return this;
        }

        public CorsConfig build() {
            return new CorsConfig(this);
        }
    }
}
