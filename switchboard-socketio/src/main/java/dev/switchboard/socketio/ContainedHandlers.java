package dev.switchboard.socketio;

import dev.switchboard.core.handler.Handler;
import dev.switchboard.core.handler.HandlerConfig;
import dev.switchboard.core.handler.HandlerRunner;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a socket runs its users' handlers (listeners, {@code onAny}, per-packet middleware): through the
 * node's {@link HandlerRunner}, which logs a failure once (socket, namespace, event), times inline
 * handlers with its watchdog and runs blocking ones on its bounded pool; and what the client is told
 * when one fails ({@link HandlerErrorAck}). Immutable, thread-safe; one per server.
 */
final class ContainedHandlers {

    private static final Logger log = LoggerFactory.getLogger(ContainedHandlers.class);

    private final HandlerRunner runner;
    private final HandlerErrorAck errorAck;

    ContainedHandlers(HandlerRunner runner, HandlerErrorAck errorAck) {
        this.runner = runner;
        this.errorAck = errorAck;
    }

    HandlerRunner runner() {
        return runner;
    }

    /**
     * Runs {@code body} now on the socket's event loop; on failure (already logged by the runner)
     * calls {@code failed}. Returns whether it completed.
     */
    boolean inline(String label, String event, Handler body, Consumer<Throwable> failed) {
        Throwable error = runner.runInline(label, event, body);
        if (error == null) {
            return true;
        }
        failed.accept(error);
        return false;
    }

    /**
     * Queues {@code body} on the runner's worker pool. If it throws or is refused (both logged and
     * counted by the runner), {@code failed} runs on {@code loop}, the socket's event loop.
     */
    void blocking(String label, String event, Handler body, java.util.concurrent.Executor loop,
            Consumer<Throwable> failed) {
        runner.runBlocking(label, event, body).whenComplete((ok, error) -> {
            if (error != null) {
                Client.execute(loop, () -> failed.accept(error));
            }
        });
    }

    /** Answers {@code ack} with the error acknowledgement, unless none was asked or one was sent. */
    void answerError(Ack ack, String event, Throwable error) {
        if (!ack.requested()) {
            return;
        }
        Object[] args;
        try {
            args = errorAck.args(event, error);
        } catch (RuntimeException e) {
            log.warn("handler error ack for event '{}' failed: {}", event, e.toString());
            return;
        }
        if (args != null) {
            ack.send(args); // sends only if the handler has not answered
        }
    }

    /**
     * The runner of servers created without one: shared by all of them in this JVM, created on first
     * use, never closed (its threads are daemons; idle workers time out).
     */
    static HandlerRunner standaloneRunner() {
        return Standalone.RUNNER;
    }

    private static final class Standalone {
        static final HandlerRunner RUNNER = HandlerRunner.create(HandlerConfig.defaults());
    }
}
