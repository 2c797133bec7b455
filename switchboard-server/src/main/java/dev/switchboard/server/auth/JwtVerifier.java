package dev.switchboard.server.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.jwt.proc.JWTClaimsSetVerifier;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * JWT verification with nimbus-jose-jwt: the signature against the configured keys (an HMAC secret and/or
 * the public keys of a PEM or JWKS file), then the claims with this class's own checks so that each
 * refusal has a short, stable reason. Signature first: a forged token never has its claims looked at.
 * Only signed tokens are accepted (no {@code alg: none}, no encrypted tokens); the algorithms accepted
 * follow the kind of key configured.
 */
final class JwtVerifier implements TokenVerifier {

    private static final Set<JWSAlgorithm> HMAC = Set.of(JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512);
    private static final Set<JWSAlgorithm> PUBLIC_KEY = Set.of(
            JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
            JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);

    private final JwtSettings settings;
    private final Clock clock;
    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();

    JwtVerifier(JwtSettings settings, Clock clock) {
        if (!settings.enabled()) {
            throw new IllegalArgumentException("no key configured (hmac-secret, public-key-file or jwks-file)");
        }
        this.settings = settings;
        this.clock = clock;
        List<JWKSource<SecurityContext>> sources = new ArrayList<>();
        Set<JWSAlgorithm> algorithms = new LinkedHashSet<>();
        if (!settings.hmacSecret().isEmpty()) {
            byte[] secret = settings.hmacSecret().getBytes(StandardCharsets.UTF_8);
            if (secret.length < JwtSettings.MIN_SECRET_BYTES) {
                throw new IllegalArgumentException("the HMAC secret must have at least " + JwtSettings.MIN_SECRET_BYTES
                        + " bytes (HS256 needs 256 bits)");
            }
            JWK key = new OctetSequenceKey.Builder(secret).build();
            sources.add((selector, ctx) -> selector.select(new com.nimbusds.jose.jwk.JWKSet(key)));
            algorithms.addAll(HMAC);
        }
        settings.publicKeyFile().ifPresent(p -> sources.add(KeyFile.pem(p)));
        settings.jwksFile().ifPresent(p -> sources.add(KeyFile.jwks(p)));
        if (settings.publicKeyFile().isPresent() || settings.jwksFile().isPresent()) {
            algorithms.addAll(PUBLIC_KEY);
        }
        JWKSource<SecurityContext> all = (JWKSelector selector, SecurityContext ctx) -> {
            List<JWK> found = new ArrayList<>();
            for (JWKSource<SecurityContext> s : sources) {
                found.addAll(s.get(selector, ctx));
            }
            return found;
        };
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(algorithms, all));
        processor.setJWTClaimsSetVerifier(new ClaimsCheck());
    }

    @Override
    public Identity verify(String token) throws AuthException {
        if (token == null || token.isBlank()) {
            throw new AuthException("token missing");
        }
        JWTClaimsSet claims;
        try {
            claims = processor.process(token.trim(), null);
        } catch (ParseException e) {
            throw new AuthException("malformed token");
        } catch (BadJWTException e) {
            // Thrown by ClaimsCheck (its messages are the reasons) or by nimbus's own claim checks.
            throw new AuthException(e.getMessage() != null && e.getMessage().length() < 40 ? e.getMessage() : "bad claims");
        } catch (BadJWSException e) {
            throw new AuthException("bad signature");
        } catch (BadJOSEException e) {
            String m = String.valueOf(e.getMessage());
            if (m.contains("no matching key")) {
                throw new AuthException("unknown key or algorithm");
            }
            if (m.contains("plain") || m.contains("Unsecured")) {
                throw new AuthException("unsigned token");
            }
            if (m.contains("JWE") || m.contains("encrypted")) {
                throw new AuthException("encrypted tokens are not accepted");
            }
            throw new AuthException("token rejected");
        } catch (com.nimbusds.jose.JOSEException e) {
            throw new AuthException("token could not be verified");
        }
        return toIdentity(claims);
    }

    private static Identity toIdentity(JWTClaimsSet claims) {
        Set<String> scopes = new LinkedHashSet<>();
        Object scope = claims.getClaim("scope");
        if (scope instanceof String s) {
            for (String part : s.trim().split("\\s+")) {
                if (!part.isEmpty()) {
                    scopes.add(part);
                }
            }
        } else if (scope instanceof List<?> l) {
            l.stream().filter(String.class::isInstance).map(String.class::cast).forEach(scopes::add);
        }
        Map<String, Object> all = new java.util.HashMap<>();
        claims.getClaims().forEach((k, v) -> {
            if (v != null) {
                all.put(k, v instanceof Date d ? d.getTime() / 1000 : v);
            }
        });
        return new Identity(claims.getSubject(), scopes, all, claims.getExpirationTime().toInstant());
    }

    /** The claim checks, after the signature: each refusal's message is its reason. */
    private final class ClaimsCheck implements JWTClaimsSetVerifier<SecurityContext> {
        @Override
        public void verify(JWTClaimsSet claims, SecurityContext context) throws BadJWTException {
            Instant now = clock.instant();
            long leeway = settings.leeway().toMillis();
            Date exp = claims.getExpirationTime();
            if (exp == null) {
                throw new BadJWTException("token has no exp");
            }
            if (now.toEpochMilli() > exp.getTime() + leeway) {
                throw new BadJWTException("token expired");
            }
            Date nbf = claims.getNotBeforeTime();
            if (nbf != null && now.toEpochMilli() + leeway < nbf.getTime()) {
                throw new BadJWTException("token not yet valid");
            }
            if (!settings.issuer().isEmpty() && !settings.issuer().equals(claims.getIssuer())) {
                throw new BadJWTException("wrong issuer");
            }
            if (!settings.audience().isEmpty()
                    && (claims.getAudience() == null || !claims.getAudience().contains(settings.audience()))) {
                throw new BadJWTException("wrong audience");
            }
            String sub = claims.getSubject();
            if (sub == null || sub.isBlank() || sub.length() > 256) {
                throw new BadJWTException("token has no sub");
            }
        }
    }
}
