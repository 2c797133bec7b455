package dev.switchboard.server.auth;

import dev.switchboard.mqtt.MqttAuthenticator;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;

/**
 * MQTT clients authenticate with a JWT as their CONNECT password (the user name is not read: any, or
 * none); the user id is the token's {@code sub}. A missing or invalid token is refused with the verifier's
 * reason ({@code token missing}, {@code token expired}, {@code bad signature}, ...), which an MQTT 5 client
 * gets as the CONNACK's Reason String, and counted in
 * {@code switchboard_auth_refusals_total{protocol="mqtt",reason}}.
 *
 * <p>Threading: runs on the connection's event loop; verification is CPU only (key files are re-read
 * by the verifier at most once a second).
 */
public final class MqttAuth implements MqttAuthenticator {

    private final TokenVerifier verifier;
    private final MeterRegistry registry;

    public MqttAuth(TokenVerifier verifier, MeterRegistry registry) {
        this.verifier = verifier;
        this.registry = registry;
    }

    @Override
    public Result authenticate(String clientId, String userName, byte[] password) {
        if (password == null || password.length == 0) {
            return refused("token missing");
        }
        try {
            return Result.accepted(verifier.verify(new String(password, StandardCharsets.UTF_8)).subject());
        } catch (AuthException e) {
            return refused(e.reason());
        }
    }

    private Result refused(String reason) {
        SocketAuthenticator.countRefusal(registry, "mqtt", reason);
        return Result.refused(reason);
    }
}
