package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS configured through the environment (switchboard.http.tls.*): the one listener serves HTTPS, and a
 * client that trusts the certificate reaches health and the Socket.IO handshake. The certificate is made
 * by openssl for 127.0.0.1.
 */
class TlsIT {

    @TempDir
    Path dir;

    @Test
    void theListenerServesHttpsWithTheConfiguredCertificate() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", key.toString(), "-out", cert.toString(), "-days", "2", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost")
                .redirectErrorStream(true).start();
        String opensslOut = new String(openssl.getInputStream().readAllBytes());
        assertThat(openssl.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(openssl.exitValue()).as(opensslOut).isZero();

        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(cert)) {
            trust.setCertificateEntry("switchboard", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        HttpClient https = HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();

        try (LaunchedServer server = LaunchedServer.start(dir, Map.of(
                        "SWITCHBOARD_HTTP_TLS_ENABLED", "true",
                        "SWITCHBOARD_HTTP_TLS_CERT_CHAIN", cert.toString(),
                        "SWITCHBOARD_HTTP_TLS_PRIVATE_KEY", key.toString()),
                "--port", "0", "--data", dir.resolve("data").toString())) {
            String base = server.awaitListening(LaunchedServer.STARTUP);
            assertThat(base).startsWith("https://");
            server.awaitReady(base, https);
            HttpResponse<String> open = https.send(HttpRequest.newBuilder(
                    URI.create(base + "/socket.io/?EIO=4&transport=polling")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(open.statusCode()).isEqualTo(200);
            assertThat(open.body()).startsWith("0{\"sid\":");
            server.sigterm();
            assertThat(server.awaitExit(Duration.ofSeconds(30))).as(server.transcript()).isZero();
        }
    }
}
