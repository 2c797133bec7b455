package dev.switchboard.mqtt;

import dev.switchboard.store.EmbeddedStore;
import dev.switchboard.store.StoreConfig;
import dev.switchboard.store.session.FileSessionStore;
import java.nio.file.Path;

/**
 * A gateway whose sessions and retained messages live in the embedded stores (RocksDB queues, session
 * files) under one directory; {@link #restart} closes the gateway and both stores and opens them again
 * on the same directory and port, as a server restart does.
 */
final class StoredGateway implements AutoCloseable {

    private final Path dir;
    private final MqttConfig.Builder config;
    private FileSessionStore sessions;
    private EmbeddedStore queues;
    GatewayFixture gw;

    StoredGateway(Path dir, MqttConfig.Builder config) {
        this.dir = dir;
        this.config = config;
        open(0);
    }

    private void open(int port) {
        sessions = FileSessionStore.open(dir.resolve("sessions"), false);
        queues = EmbeddedStore.open(StoreConfig.newBuilder(dir.resolve("store")).build());
        gw = new GatewayFixture(config, MqttStore.on(sessions, queues), port);
    }

    void restart() throws Exception {
        int port = gw.port;
        closeAll();
        open(port);
    }

    String uri() {
        return gw.uri();
    }

    int port() {
        return gw.port;
    }

    private void closeAll() throws Exception {
        gw.close();
        queues.close();
        sessions.close();
    }

    @Override
    public void close() throws Exception {
        closeAll();
    }
}
