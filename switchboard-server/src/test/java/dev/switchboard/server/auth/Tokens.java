package dev.switchboard.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;

/** Signs test tokens with nimbus-jose-jwt (the issuer side a real identity provider plays). */
public final class Tokens {

    public static final String SECRET = "test-secret-of-at-least-32-bytes-0123456789";

    private Tokens() {}

    /** HS256 with {@link #SECRET}, expiring {@code ttl} from now (negative: already expired). */
    public static String hs256(String sub, Duration ttl) {
        return hs256(SECRET, sub, ttl, Map.of());
    }

    public static String hs256(String secret, String sub, Duration ttl, Map<String, Object> claims) {
        try {
            return sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)), JWSAlgorithm.HS256, null, sub, ttl, claims);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String sign(JWSSigner signer, JWSAlgorithm alg, String kid, String sub, Duration ttl,
                              Map<String, Object> claims) {
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder()
                .subject(sub)
                .issueTime(new Date())
                .expirationTime(Date.from(Instant.now().plus(ttl)));
        claims.forEach(b::claim);
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(kid).build(), b.build());
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }
}
