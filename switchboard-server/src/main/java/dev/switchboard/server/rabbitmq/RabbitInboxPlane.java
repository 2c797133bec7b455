package dev.switchboard.server.rabbitmq;

import dev.switchboard.core.node.Component;
import dev.switchboard.core.node.SupervisionPolicy;
import dev.switchboard.core.spi.QueueStore;
import dev.switchboard.core.spi.SessionStore;
import dev.switchboard.core.spi.StreamStore;
import dev.switchboard.server.storage.StoragePlane;
import java.util.Map;

/**
 * A storage plane whose inbox queues are on RabbitMQ: everything else is the configured plane's. Its
 * readiness is the configured plane's: the broker has its own component in health, and the server must
 * not wait at start for a broker that may be away.
 */
final class RabbitInboxPlane implements StoragePlane {

    private final StoragePlane plane;
    private final QueueStore queues;

    RabbitInboxPlane(StoragePlane plane, QueueStore queues) {
        this.plane = plane;
        this.queues = queues;
    }

    @Override
    public Map<String, Component> components() {
        return plane.components();
    }

    @Override
    public StreamStore streams() {
        return plane.streams();
    }

    @Override
    public QueueStore queues() {
        return queues;
    }

    @Override
    public SessionStore sessions() {
        return plane.sessions();
    }

    @Override
    public SupervisionPolicy supervision(String name) {
        return plane.supervision(name);
    }

    @Override
    public boolean isOpen() {
        return plane.isOpen();
    }
}
