package dev.switchboard.server.auth;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * How tokens are verified ({@code switchboard.auth.jwt}). JWT authentication is on when at least one key
 * is configured: {@code hmacSecret} (HS256/384/512), {@code publicKeyFile} (one PEM public key or
 * certificate, RS256/ES256 and their family) or {@code jwksFile} (a JWK set); the two files are read
 * again when they change.
 *
 * @param issuer        the required {@code iss}; empty accepts any
 * @param audience      a value the {@code aud} claim must contain; empty accepts any
 * @param leeway        clock skew allowed on {@code exp} and {@code nbf}
 * @param expiryNotice  how long before {@code exp} a connected socket gets {@code switchboard:token-expiring}
 * @param expiryGrace   how long after {@code exp} a socket that sent no fresh token stays connected
 */
public record JwtSettings(String hmacSecret, Optional<Path> publicKeyFile, Optional<Path> jwksFile, String issuer,
                          String audience, Duration leeway, Duration expiryNotice, Duration expiryGrace) {

    /** Shortest HMAC secret accepted: 256 bits, what HS256 requires (RFC 7518 section 3.2). */
    public static final int MIN_SECRET_BYTES = 32;

    public static JwtSettings off() {
        return new JwtSettings("", Optional.empty(), Optional.empty(), "", "", Duration.ofSeconds(30),
                Duration.ofSeconds(30), Duration.ofSeconds(30));
    }

    /** HS256 with a secret, other options at their defaults (tests and the Java API). */
    public static JwtSettings hmac(String secret) {
        return off().withSecret(secret);
    }

    public JwtSettings withSecret(String secret) {
        return new JwtSettings(secret, publicKeyFile, jwksFile, issuer, audience, leeway, expiryNotice, expiryGrace);
    }

    public boolean enabled() {
        return !hmacSecret.isEmpty() || publicKeyFile.isPresent() || jwksFile.isPresent();
    }

    @Override
    public String toString() {
        return "JwtSettings[hmac=" + (hmacSecret.isEmpty() ? "off" : "***") + ", publicKeyFile=" + publicKeyFile
                + ", jwksFile=" + jwksFile + ", issuer=" + issuer + ", audience=" + audience + ", leeway=" + leeway
                + ", expiryNotice=" + expiryNotice + ", expiryGrace=" + expiryGrace + "]";
    }
}
