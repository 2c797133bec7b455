package dev.switchboard.server;

import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * SIGTERM and SIGINT (Ctrl-C) start a graceful stop instead of the JVM's default exit (status 143/130):
 * the server then exits 0 once it has shut down. A second signal while stopping is logged and ignored
 * (the stop is bounded by switchboard.shutdown.timeout).
 */
final class Signals {

    private static final Logger log = LoggerFactory.getLogger("dev.switchboard.server");

    private Signals() {}

    static void onTerminate(Runnable stop) {
        AtomicBoolean stopping = new AtomicBoolean();
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), signal -> {
                if (stopping.compareAndSet(false, true)) {
                    log.info("SIG{} received: shutting down", signal.getName());
                    Thread t = new Thread(stop, "switchboard-shutdown");
                    t.start();
                } else {
                    log.info("SIG{} received: already shutting down", signal.getName());
                }
            });
        }
    }
}
