package dev.switchboard.mqtt;

import dev.switchboard.core.routing.Router;

/** What every connection of one gateway shares; all of it thread-safe. */
record Gateway(MqttConfig config, Router router, Sessions sessions, RetainedStore retained, MqttMetrics metrics,
        SharedSubscriptions shared) {

    Gateway(MqttConfig config, Router router, Sessions sessions, RetainedStore retained, MqttMetrics metrics) {
        this(config, router, sessions, retained, metrics, new SharedSubscriptions(router, config.namespace(), metrics));
    }

    /** Where persistent sessions and retained messages are kept; null when nothing outlives the process. */
    MqttStore store() {
        return sessions.store();
    }
}
