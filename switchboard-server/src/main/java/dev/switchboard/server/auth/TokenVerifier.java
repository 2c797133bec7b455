package dev.switchboard.server.auth;

import java.time.Clock;

/** Verifies bearer tokens. Thread-safe. */
public interface TokenVerifier {

    /**
     * @return who the token says its bearer is, once its signature, expiry, issuer and audience are checked
     * @throws AuthException with a short reason when it is refused
     */
    Identity verify(String token) throws AuthException;

    /** A JWT verifier for these settings; {@code settings.enabled()} must be true. */
    static TokenVerifier jwt(JwtSettings settings) {
        return new JwtVerifier(settings, Clock.systemUTC());
    }

    /** As {@link #jwt(JwtSettings)} with a clock of the caller's (tests). */
    static TokenVerifier jwt(JwtSettings settings, Clock clock) {
        return new JwtVerifier(settings, clock);
    }
}
