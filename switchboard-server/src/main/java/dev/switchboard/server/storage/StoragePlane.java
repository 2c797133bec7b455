package dev.switchboard.server.storage;

import dev.switchboard.core.node.Component;
import dev.switchboard.core.node.SupervisionPolicy;
import dev.switchboard.core.spi.QueueStore;
import dev.switchboard.core.spi.SessionStore;
import dev.switchboard.core.spi.StreamStore;
import java.util.Map;

/**
 * The storage plane a node runs on, as chosen by {@code switchboard.store}: the stores behind the
 * SPIs, and the components that own them. The durable plane, the inboxes and connection state
 * recovery see only the SPIs.
 *
 * <p>The stores returned here are stable handles: each call goes to the store open at that moment,
 * and fails at once with {@code StoreException} ({@code CLOSED}) while none is (starting, or being
 * restarted by its supervisor). Closing a handle closes nothing: the components own the stores.
 */
public interface StoragePlane {

    /** The components to run under the node's supervision, by name (each shows in /health/ready). */
    Map<String, Component> components();

    StreamStore streams();

    QueueStore queues();

    SessionStore sessions();

    /** How the node supervises component {@code name}: restart with backoff, unless a plane says otherwise. */
    default SupervisionPolicy supervision(String name) {
        return SupervisionPolicy.restartWithBackoff();
    }

    /** Whether every store is open now. */
    boolean isOpen();

    /** Makes the plane of one kind of store; one implementation per value of {@code switchboard.store}. */
    interface Factory {

        /** The value of {@code switchboard.store} that selects it. */
        String name();

        StoragePlane create(StorageContext context);
    }
}
