package dev.switchboard.server.storage;

import dev.switchboard.core.node.Component;
import dev.switchboard.core.node.ComponentContext;
import dev.switchboard.store.session.FileSessionStore;
import java.nio.file.Path;

/**
 * The recovery session store (files under {@code <data-dir>/recovery/sessions}) as a supervised
 * component: opened by its supervisor, reopened with backoff if opening fails, closed (its pending
 * writes completed) when the node stops.
 *
 * <p>Threading: start and stop on the component's actor; {@link #current} from any thread.
 */
final class SessionsComponent implements Component {

    static final String NAME = "recovery-sessions";

    private final Path directory;
    private final boolean fsync;
    private volatile FileSessionStore store;

    SessionsComponent(Path directory, boolean fsync) {
        this.directory = directory;
        this.fsync = fsync;
    }

    @Override
    public void start(ComponentContext context) {
        store = FileSessionStore.open(directory, fsync);
    }

    /** The store open now; null while it opens, reopens or after the node stopped. */
    FileSessionStore current() {
        return store;
    }

    @Override
    public void stop() {
        FileSessionStore s = store;
        store = null;
        if (s != null) {
            s.close();
        }
    }
}
