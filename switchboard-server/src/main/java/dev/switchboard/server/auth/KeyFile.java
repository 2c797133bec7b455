package dev.switchboard.server.auth;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Public keys read from a file (a JWK set, or one PEM public key or certificate) and read again when the
 * file changes (modification time or size), so keys can be rotated without a restart. The file is looked
 * at no more than once per {@link #CHECK_INTERVAL_NANOS}: at a verification after that interval, so a
 * token signed with a new key is accepted at most that long after the file was replaced. A file that
 * cannot be read or parsed keeps the keys read last (logged once per change).
 *
 * <p>Thread-safe: the key set is replaced as one volatile reference; concurrent checks may both read the
 * file, which is harmless.
 */
final class KeyFile implements JWKSource<SecurityContext> {

    private static final Logger log = LoggerFactory.getLogger(KeyFile.class);
    /** One second: a stat per second at most, whatever the rate of connections. */
    static final long CHECK_INTERVAL_NANOS = 1_000_000_000L;
    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

    private interface Parser {
        JWKSet parse(String text) throws IOException, GeneralSecurityException, java.text.ParseException;
    }

    private final Path file;
    private final Parser parser;
    private volatile Loaded loaded;
    private volatile long lastCheck;

    private record Loaded(JWKSet keys, long modified, long size) {}

    private KeyFile(Path file, Parser parser) {
        this.file = file;
        this.parser = parser;
        this.loaded = load(null);
        if (loaded == null) {
            throw new IllegalArgumentException("cannot read keys from " + file);
        }
        this.lastCheck = System.nanoTime();
    }

    static KeyFile jwks(Path file) {
        return new KeyFile(file, JWKSet::parse);
    }

    static KeyFile pem(Path file) {
        return new KeyFile(file, KeyFile::parsePem);
    }

    @Override
    public List<JWK> get(JWKSelector selector, SecurityContext context) throws KeySourceException {
        long now = System.nanoTime();
        if (now - lastCheck >= CHECK_INTERVAL_NANOS) {
            lastCheck = now;
            Loaded fresh = load(loaded);
            if (fresh != null) {
                loaded = fresh;
            }
        }
        return selector.select(loaded.keys());
    }

    /** The keys of the file when it changed since {@code previous} (or when there is none); else previous. */
    private Loaded load(Loaded previous) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            long modified = a.lastModifiedTime().toMillis();
            if (previous != null && previous.modified() == modified && previous.size() == a.size()) {
                return previous;
            }
            JWKSet keys = parser.parse(Files.readString(file, StandardCharsets.UTF_8));
            if (previous != null) {
                log.info("keys reloaded from {}: {} key(s)", file, keys.getKeys().size());
            }
            return new Loaded(keys, modified, a.size());
        } catch (IOException | GeneralSecurityException | java.text.ParseException | RuntimeException e) {
            log.warn("cannot read keys from {}: {}{}", file, e.getMessage(),
                    previous == null ? "" : " (keeping the keys read before)");
            return previous;
        }
    }

    /** Every PEM block of the text: public keys ({@code PUBLIC KEY}) and certificates ({@code CERTIFICATE}). */
    static JWKSet parsePem(String text) throws GeneralSecurityException {
        Matcher m = PEM.matcher(text);
        List<JWK> keys = new java.util.ArrayList<>();
        while (m.find()) {
            byte[] der = Base64.getMimeDecoder().decode(m.group(2));
            PublicKey key = switch (m.group(1)) {
                case "PUBLIC KEY" -> publicKey(der);
                case "CERTIFICATE" -> CertificateFactory.getInstance("X.509")
                        .generateCertificate(new ByteArrayInputStream(der)).getPublicKey();
                default -> throw new GeneralSecurityException("unsupported PEM block " + m.group(1)
                        + " (expected PUBLIC KEY or CERTIFICATE)");
            };
            keys.add(toJwk(key));
        }
        if (keys.isEmpty()) {
            throw new GeneralSecurityException("no PEM public key or certificate found");
        }
        return new JWKSet(keys);
    }

    private static PublicKey publicKey(byte[] der) throws GeneralSecurityException {
        try {
            return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException notRsa) {
            return KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der));
        }
    }

    static JWK toJwk(PublicKey key) throws GeneralSecurityException {
        if (key instanceof RSAPublicKey rsa) {
            return new RSAKey.Builder(rsa).build();
        }
        if (key instanceof ECPublicKey ec) {
            Curve curve = Curve.forECParameterSpec(ec.getParams());
            if (curve == null) {
                throw new GeneralSecurityException("unsupported elliptic curve");
            }
            return new ECKey.Builder(curve, ec).build();
        }
        throw new GeneralSecurityException("unsupported key type " + key.getAlgorithm() + " (expected RSA or EC)");
    }
}
