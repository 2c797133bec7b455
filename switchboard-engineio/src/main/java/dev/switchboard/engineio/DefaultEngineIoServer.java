package dev.switchboard.engineio;

import dev.switchboard.transport.HttpHandler;
import java.util.Collection;
import java.util.concurrent.CompletionStage;

/** Placeholder until the implementation lands. */
final class DefaultEngineIoServer implements EngineIoServer {
    private final EngineIoConfig config;

    DefaultEngineIoServer(EngineIoConfig config, ConnectionListener listener) {
        this.config = config;
    }

    @Override
    public EngineIoConfig config() {
        return config;
    }

    @Override
    public HttpHandler httpHandler() {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public int sessionCount() {
        return 0;
    }

    @Override
    public Collection<EngineSocket> sessions() {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public EngineSocket session(String id) {
        return null;
    }

    @Override
    public CompletionStage<Void> close() {
        throw new UnsupportedOperationException("not yet");
    }
}
