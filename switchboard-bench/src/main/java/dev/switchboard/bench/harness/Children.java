package dev.switchboard.bench.harness;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every process the harness started and has not stopped yet, so that a shutdown hook and the
 * run's hard time bound can end them (with their descendants) and nothing outlives the harness.
 */
final class Children {

    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(Children::destroyAll, "bench-children"));
    }

    private Children() {}

    static void register(Process p) {
        LIVE.add(p);
    }

    static void unregister(Process p) {
        LIVE.remove(p);
    }

    static void destroyAll() {
        for (Process p : LIVE) {
            p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        LIVE.clear();
    }
}
