package dev.switchboard.mqtt;

/**
 * One MQTT session as the admin API shows it: a snapshot, read without stopping the connections, so
 * counts may lag a publication or a subscription behind.
 *
 * @param clientId       the client identifier
 * @param connected      whether a client is connected (else a persistent session waiting for it)
 * @param protocol       {@code 3.1.1} or {@code 5.0} of its last connection; empty for a session restored at start-up
 * @param address        the remote address of the connection; empty when offline
 * @param subscriptions  its subscriptions (shared ones included)
 * @param queued         QoS 1/2 publications queued for it in the store
 * @param expirySeconds  its session expiry interval; 0 = it ends with the connection
 */
public record MqttClientInfo(String clientId, boolean connected, String protocol, String address, int subscriptions,
        long queued, long expirySeconds) {}
