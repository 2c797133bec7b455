package dev.switchboard.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Token verification: each algorithm family, each refusal with its reason, keys rotated in a JWKS file. */
class JwtVerifierTest {

    @TempDir
    Path dir;

    private static AuthException refusal(TokenVerifier v, String token) {
        try {
            v.verify(token);
        } catch (AuthException e) {
            return e;
        }
        throw new AssertionError("token accepted");
    }

    @Test
    void hs256TokenGivesSubAndScopes() throws Exception {
        TokenVerifier v = TokenVerifier.jwt(JwtSettings.hmac(Tokens.SECRET));
        Identity id = v.verify(Tokens.hs256(Tokens.SECRET, "ann", Duration.ofMinutes(5),
                Map.of("scope", "publish history", "rooms", List.of("news"))));
        assertThat(id.subject()).isEqualTo("ann");
        assertThat(id.scopes()).containsExactlyInAnyOrder("publish", "history");
        assertThat(id.stringList("rooms")).containsExactly("news");
    }

    @Test
    void refusalsSayWhy() {
        TokenVerifier v = TokenVerifier.jwt(JwtSettings.hmac(Tokens.SECRET));
        assertThat(refusal(v, "").reason()).isEqualTo("token missing");
        assertThat(refusal(v, "not.a.jwt").reason()).isEqualTo("malformed token");
        assertThat(refusal(v, Tokens.hs256("ann", Duration.ofMinutes(-5))).reason()).isEqualTo("token expired");
        String forged = Tokens.hs256("another-secret-of-at-least-32-bytes-xxxxxx", "ann", Duration.ofMinutes(5), Map.of());
        assertThat(refusal(v, forged).reason()).isEqualTo("bad signature");
        // A forged token that is also expired is refused for its signature: its claims are never read.
        String forgedExpired = Tokens.hs256("another-secret-of-at-least-32-bytes-xxxxxx", "ann", Duration.ofMinutes(-5), Map.of());
        assertThat(refusal(v, forgedExpired).reason()).isEqualTo("bad signature");
        // alg "none": header {"alg":"none"} with the claims of a valid token and no signature.
        String valid = Tokens.hs256("ann", Duration.ofMinutes(5));
        String none = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes())
                + "." + valid.split("\\.")[1] + ".";
        assertThat(refusal(v, none).reason()).isIn("unsigned token", "malformed token");
        assertThat(refusal(v, Tokens.hs256(null, Duration.ofMinutes(5))).reason()).isEqualTo("token has no sub");
    }

    @Test
    void leewayAcceptsARecentlyExpiredToken() throws Exception {
        JwtSettings s = JwtSettings.hmac(Tokens.SECRET);
        TokenVerifier v = TokenVerifier.jwt(new JwtSettings(s.hmacSecret(), Optional.empty(), Optional.empty(), "", "",
                Duration.ofMinutes(2), s.expiryNotice(), s.expiryGrace()));
        assertThat(v.verify(Tokens.hs256("ann", Duration.ofSeconds(-60))).subject()).isEqualTo("ann");
        assertThat(refusal(v, Tokens.hs256("ann", Duration.ofMinutes(-3))).reason()).isEqualTo("token expired");
    }

    @Test
    void issuerAndAudienceAreChecked() throws Exception {
        JwtSettings s = JwtSettings.hmac(Tokens.SECRET);
        TokenVerifier v = TokenVerifier.jwt(new JwtSettings(s.hmacSecret(), Optional.empty(), Optional.empty(),
                "https://id.example", "switchboard", s.leeway(), s.expiryNotice(), s.expiryGrace()));
        Duration ttl = Duration.ofMinutes(5);
        assertThat(v.verify(Tokens.hs256(Tokens.SECRET, "ann", ttl,
                Map.of("iss", "https://id.example", "aud", List.of("other", "switchboard")))).subject()).isEqualTo("ann");
        assertThat(refusal(v, Tokens.hs256(Tokens.SECRET, "ann", ttl,
                Map.of("iss", "https://evil.example", "aud", "switchboard"))).reason()).isEqualTo("wrong issuer");
        assertThat(refusal(v, Tokens.hs256(Tokens.SECRET, "ann", ttl,
                Map.of("iss", "https://id.example", "aud", "other"))).reason()).isEqualTo("wrong audience");
    }

    @Test
    void rs256WithAPemPublicKey() throws Exception {
        RSAKey key = new RSAKeyGenerator(2048).generate();
        Path pem = dir.resolve("key.pem");
        Files.writeString(pem, "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(key.toRSAPublicKey().getEncoded())
                + "\n-----END PUBLIC KEY-----\n");
        JwtSettings off = JwtSettings.off();
        TokenVerifier v = TokenVerifier.jwt(new JwtSettings("", Optional.of(pem), Optional.empty(), "", "",
                off.leeway(), off.expiryNotice(), off.expiryGrace()));
        String token = Tokens.sign(new RSASSASigner(key), JWSAlgorithm.RS256, null, "bob", Duration.ofMinutes(5), Map.of());
        assertThat(v.verify(token).subject()).isEqualTo("bob");
        RSAKey other = new RSAKeyGenerator(2048).generate();
        String forged = Tokens.sign(new RSASSASigner(other), JWSAlgorithm.RS256, null, "bob", Duration.ofMinutes(5), Map.of());
        assertThat(refusal(v, forged).reason()).isEqualTo("bad signature");
        // An HS256 token is not accepted where only public keys are configured (no algorithm confusion).
        assertThat(refusal(v, Tokens.hs256("bob", Duration.ofMinutes(5))).reason()).isEqualTo("unknown key or algorithm");
    }

    @Test
    void es256KeysFromAJwksFileAreReloadedWhenTheFileChanges() throws Exception {
        ECKey first = new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
        ECKey second = new ECKeyGenerator(Curve.P_256).keyID("k2").generate();
        Path jwks = dir.resolve("keys.json");
        Files.writeString(jwks, new JWKSet(first.toPublicJWK()).toString());
        JwtSettings off = JwtSettings.off();
        TokenVerifier v = TokenVerifier.jwt(new JwtSettings("", Optional.empty(), Optional.of(jwks), "", "",
                off.leeway(), off.expiryNotice(), off.expiryGrace()));
        String byFirst = Tokens.sign(new ECDSASigner(first), JWSAlgorithm.ES256, "k1", "ann", Duration.ofMinutes(5), Map.of());
        String bySecond = Tokens.sign(new ECDSASigner(second), JWSAlgorithm.ES256, "k2", "ann", Duration.ofMinutes(5), Map.of());
        assertThat(v.verify(byFirst).subject()).isEqualTo("ann");
        assertThat(refusal(v, bySecond).reason()).isEqualTo("unknown key or algorithm");

        // Rotation: the file now holds only the second key.
        Files.writeString(jwks, new JWKSet(List.of(second.toPublicJWK())).toString() + "\n");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> accepts(v, bySecond));
        assertThat(refusal(v, byFirst).reason()).isEqualTo("unknown key or algorithm");

        // A broken file keeps the keys read before.
        Files.writeString(jwks, "{not json");
        Awaitility.await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).until(() -> accepts(v, bySecond));
    }

    private static boolean accepts(TokenVerifier v, String token) {
        try {
            v.verify(token);
            return true;
        } catch (AuthException e) {
            return false;
        }
    }

    @Test
    void theExampleTokenOfTheSecurityDocVerifies() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "security.md"));
        String token = doc.substring(doc.indexOf("<!-- example-token -->")).split("```")[1].trim();
        JwtSettings off = JwtSettings.off();
        TokenVerifier v = TokenVerifier.jwt(new JwtSettings("change-me-to-32-or-more-random-bytes!!", Optional.empty(),
                Optional.empty(), "https://id.example.com", "switchboard", off.leeway(), off.expiryNotice(), off.expiryGrace()));
        Identity id = v.verify(token);
        assertThat(id.subject()).isEqualTo("ann");
        assertThat(id.scopes()).containsExactlyInAnyOrder("publish", "history");
        assertThat(id.claims().get("switchboard")).isEqualTo(Map.of("subscribe", List.of("team-a*"), "publish", List.of("team-a*")));
    }

    @Test
    void aShortSecretIsRefused() {
        assertThatThrownBy(() -> TokenVerifier.jwt(JwtSettings.hmac("short")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("32 bytes");
    }
}
