package dev.switchboard.server.mqtt;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.mqtt.MqttClientInfo;
import dev.switchboard.mqtt.MqttServer;
import dev.switchboard.server.api.ApiEndpoint;
import dev.switchboard.server.api.ApiResponse;
import dev.switchboard.server.api.HttpApi;
import dev.switchboard.server.auth.AuthSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * {@code GET /api/mqtt/clients}, beside {@code /api/sockets}: the MQTT sessions of this node, connected or
 * waiting for their client, as {@code {"enabled": bool, "clients": [{clientId, connected, protocol,
 * address, subscriptions, queued, expirySeconds}]}} sorted by client id (scope {@code admin}). The API is
 * built before the gateway starts, so the gateway is {@linkplain #serve handed in} once it runs; until then,
 * and with MQTT off, the list is empty and {@code enabled} false.
 */
public final class MqttApi {

    public static final String CLIENTS = HttpApi.PREFIX + "mqtt/clients";

    private final ObjectMapper mapper = new ObjectMapper();
    private volatile MqttServer server;

    /** The running gateway whose sessions to show. */
    public void serve(MqttServer server) {
        this.server = server;
    }

    public List<ApiEndpoint> endpoints() {
        return List.of(new ApiEndpoint("GET", CLIENTS, AuthSettings.Scope.ADMIN, "mqtt_clients",
                r -> CompletableFuture.completedFuture(clients())));
    }

    private ApiResponse clients() {
        MqttServer s = server;
        ObjectNode body = mapper.createObjectNode().put("enabled", s != null);
        List<MqttClientInfo> list = s == null ? List.of()
                : s.clients().stream().sorted(Comparator.comparing(MqttClientInfo::clientId)).toList();
        body.set("clients", mapper.valueToTree(list));
        try {
            return ApiResponse.json(200, mapper.writeValueAsBytes(body));
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a tree of strings and numbers: cannot happen
        }
    }
}
