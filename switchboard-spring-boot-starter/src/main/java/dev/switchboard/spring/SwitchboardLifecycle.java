package dev.switchboard.spring;

import dev.switchboard.socketio.SocketIoServer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Starts the Socket.IO listener once the context is refreshed (every {@link SocketIoConfigurer} applied)
 * and stops it with the context: clients are disconnected (their reason is {@code io server disconnect})
 * and the listener closes, within {@code switchboard.shutdown.timeout}. Its phase puts the stop before
 * that of the web server's graceful shutdown, so Socket.IO clients are told first.
 */
final class SwitchboardLifecycle implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(SwitchboardLifecycle.class);

    private final SocketIoServer io;
    private final Duration shutdownTimeout;
    private volatile InetSocketAddress address;
    private volatile boolean running;

    SwitchboardLifecycle(SocketIoServer io, Duration shutdownTimeout) {
        this.io = io;
        this.shutdownTimeout = shutdownTimeout;
    }

    @Override
    public void start() {
        address = io.start().toCompletableFuture().join();
        running = true;
        log.info("Switchboard Socket.IO listening on {}:{}{}", address.getHostString(), address.getPort(), io.path());
    }

    @Override
    public void stop() {
        running = false;
        try {
            io.disconnectAll().toCompletableFuture().get(shutdownTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
            log.warn("Switchboard Socket.IO: DISCONNECT packets not all written within {}; closing anyway", shutdownTimeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            io.close().toCompletableFuture().get(shutdownTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            log.warn("Switchboard Socket.IO did not close within {}", shutdownTimeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            log.warn("Switchboard Socket.IO close failed: {}", e.getCause().toString());
        }
        log.info("Switchboard Socket.IO stopped");
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /**
     * Stops run from the highest phase down: at the default phase this one stops before the web server's
     * graceful shutdown ({@code DEFAULT_PHASE - 1024}) and before the beans handlers may use.
     */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE;
    }

    /** The bound address once started (the real port when configured with 0), else null. */
    InetSocketAddress address() {
        return address;
    }
}
