/**
 * Bridges: supervised components that connect the fabric to an external system (a Kafka topic, a
 * RabbitMQ exchange, an MQTT broker). A {@link dev.switchboard.core.bridge.Bridge} implements the
 * external side; {@link dev.switchboard.core.bridge.Bridges#start} runs it under the node's supervision
 * with its bounded inbound window, its outbound rules and its metrics.
 */
package dev.switchboard.core.bridge;
