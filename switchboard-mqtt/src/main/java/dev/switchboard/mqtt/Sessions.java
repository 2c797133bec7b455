package dev.switchboard.mqtt;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Connected clients by client id, for takeover: a CONNECT with the id of a connected client closes the
 * older connection (MQTT 3.1.1 3.1.4-2, 5.0 3.1.4-3). Sessions are not kept after a connection ends
 * (no persistent sessions yet; CONNACK says so). Thread-safe.
 */
final class Sessions {

    private final ConcurrentHashMap<String, MqttConnection> byClientId = new ConcurrentHashMap<>();

    /** Registers {@code c} under its client id; returns the connection it replaces, or null. */
    MqttConnection register(String clientId, MqttConnection c) {
        return byClientId.put(clientId, c);
    }

    /** Removes the entry only if it is still {@code c} (a takeover may have replaced it). */
    void unregister(String clientId, MqttConnection c) {
        byClientId.remove(clientId, c);
    }

    int size() {
        return byClientId.size();
    }
}
