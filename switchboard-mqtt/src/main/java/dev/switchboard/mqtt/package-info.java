/**
 * The MQTT 3.1.1 / 5.0 gateway: an MQTT listener whose topics are rooms of the routing fabric, so an MQTT
 * PUBLISH reaches Socket.IO clients in the room and a Socket.IO or HTTP publication reaches MQTT
 * subscribers whose filter matches. Start with {@link dev.switchboard.mqtt.MqttServer#create} and
 * {@link dev.switchboard.mqtt.MqttConfig}; the mapping is in {@code docs/mqtt.md}.
 */
package dev.switchboard.mqtt;
