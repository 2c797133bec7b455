package dev.switchboard.core.handler;

import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs user handlers contained: a handler that throws is logged with its socket and event and its
 * error is handed back to the caller (who answers an error ack where one was asked), and never closes
 * a connection; a handler declared blocking runs on a bounded worker pool; a watchdog warns, naming
 * the handler, when one holds its thread (an event loop) past {@link HandlerConfig#slowThreshold()}.
 *
 * <p>How the protocol layer uses it, on the connection's event loop:
 * <pre>{@code
 * if (declaredBlocking) {
 *     runner.runBlocking(socketId, event, body)
 *           .whenCompleteAsync((ok, error) -> { if (error != null) sendErrorAck(error); }, channel.eventLoop());
 * } else {
 *     Throwable error = runner.runInline(socketId, event, body);
 *     if (error != null) sendErrorAck(error);
 * }
 * }</pre>
 *
 * <p>Watchdog design: each thread that runs inline handlers has one {@link Slot} (a thread-local,
 * registered once in {@link #slots}), which the running thread writes (what runs, since when) and the
 * watchdog thread only reads, every quarter threshold. So the inline path allocates nothing and takes
 * no lock. Slots of threads that died are dropped by the watchdog.
 *
 * <p>An idle server pays nothing for the watchdog: once no handler has begun for a whole threshold,
 * it clears {@link #watching} and parks until the next handler begins; that handler's thread sees the
 * flag cleared and unparks it (one volatile read per handler, one unpark per idle-to-busy change).
 * No wake-up is lost: the handler writes {@code startNanos} and then reads {@code watching}, the
 * watchdog clears {@code watching} and then reads every {@code startNanos} once more (all volatile),
 * so at least one of them sees the other. A busy server keeps the watchdog polling, as before.
 */
public final class HandlerRunner implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HandlerRunner.class);

    private final HandlerEvents events;
    private final long thresholdNanos;
    private final ThreadPoolExecutor workers;
    private final long periodNanos;
    private final Thread watchdog;
    /** True while the watchdog polls; false once it decided to park (see the class comment). */
    private volatile boolean watching = true;
    private volatile boolean closed;
    private final List<Slot> slots = new CopyOnWriteArrayList<>();
    private final ThreadLocal<Slot> slot = ThreadLocal.withInitial(this::newSlot);

    private HandlerRunner(HandlerConfig config) {
        this.events = config.events();
        this.thresholdNanos = config.slowThreshold().toNanos();
        this.workers = new ThreadPoolExecutor(config.workers(), config.workers(), 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(config.queueCapacity()), threads("switchboard-handler-"),
                new ThreadPoolExecutor.AbortPolicy());
        this.workers.allowCoreThreadTimeOut(true);
        this.periodNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(5), thresholdNanos / 4);
        this.watchdog = threads("switchboard-handler-watchdog-").newThread(this::watch);
        this.watchdog.start();
    }

    public static HandlerRunner create(HandlerConfig config) {
        return new HandlerRunner(config);
    }

    /**
     * Runs {@code handler} now, on the calling thread, watched by the watchdog.
     *
     * @return null if it completed, else what it threw (already logged and reported); never throws
     *     except for a fatal JVM error
     */
    public Throwable runInline(String socketId, String event, Handler handler) {
        Slot s = slot.get();
        boolean outermost = s.startNanos == 0;
        if (outermost) {
            s.begin(socketId, event);
            if (!watching) {
                wakeWatchdog();
            }
        }
        try {
            handler.handle();
            return null;
        } catch (Throwable t) {
            rethrowIfFatal(t);
            reportFailure(socketId, event, t);
            return t;
        } finally {
            if (outermost) {
                s.startNanos = 0;
            }
        }
    }

    /**
     * Queues {@code handler} for a worker thread. The stage completes (on the worker) with null, or
     * exceptionally with what the handler threw (already logged), or with
     * {@link HandlerRejectedException} at once when the queue is full or the runner closed.
     */
    public CompletableFuture<Void> runBlocking(String socketId, String event, Handler handler) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            workers.execute(() -> {
                try {
                    handler.handle();
                    done.complete(null);
                } catch (Throwable t) {
                    rethrowIfFatal(t);
                    reportFailure(socketId, event, t);
                    done.completeExceptionally(t);
                }
            });
        } catch (RejectedExecutionException e) {
            String why = workers.isShutdown() ? "the handler runner is closed"
                    : "all " + workers.getMaximumPoolSize() + " workers busy and "
                            + workers.getQueue().size() + " handlers queued";
            log.warn("blocking handler for event '{}' of socket {} rejected: {}", event, socketId, why);
            safely(() -> events.rejected(socketId, event));
            done.completeExceptionally(new HandlerRejectedException(why));
        }
        return done;
    }

    /** Stops taking blocking handlers, lets queued ones finish (up to 5 s), stops the watchdog. */
    @Override
    public void close() {
        workers.shutdown();
        closed = true;
        LockSupport.unpark(watchdog);
        try {
            if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("blocking handlers still running after 5 s at close; interrupting them");
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            workers.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private void reportFailure(String socketId, String event, Throwable t) {
        log.warn("handler for event '{}' of socket {} threw; the connection stays open", event, socketId, t);
        safely(() -> events.failed(socketId, event, t));
    }

    /** True while the watchdog thread is parked because no handler ran for a whole threshold. */
    boolean watchdogParked() {
        return !watching && watchdog.getState() == Thread.State.WAITING;
    }

    private void wakeWatchdog() {
        watching = true;
        LockSupport.unpark(watchdog);
    }

    /** The watchdog thread's loop: inspect every period while handlers begin, park when none do. */
    private void watch() {
        long lastBegun = -1;
        long quietSince = System.nanoTime();
        while (!closed) {
            inspect();
            long begun = begun();
            long now = System.nanoTime();
            if (begun != lastBegun || anyRunning()) {
                lastBegun = begun;
                quietSince = now;
            } else if (now - quietSince >= thresholdNanos) {
                watching = false;
                if (anyRunning()) {
                    watching = true; // began between the checks above and the flag: keep watching
                } else {
                    LockSupport.park(this); // until a handler begins (or close, or a spurious wake-up)
                    quietSince = System.nanoTime();
                    continue;
                }
            }
            LockSupport.parkNanos(this, periodNanos);
        }
    }

    /** Invocations begun so far on all threads (a sum of counters only their own threads write). */
    private long begun() {
        long sum = 0;
        for (Slot s : slots) {
            sum += s.seq;
        }
        return sum;
    }

    private boolean anyRunning() {
        for (Slot s : slots) {
            if (s.startNanos != 0) {
                return true;
            }
        }
        return false;
    }

    /** Runs on the watchdog thread. */
    private void inspect() {
        long now = System.nanoTime();
        for (Slot s : slots) {
            if (!s.thread.isAlive()) {
                slots.remove(s);
                continue;
            }
            long start = s.startNanos;
            if (start == 0) {
                continue;
            }
            long seq = s.seq;
            String socketId = s.socketId;
            String event = s.event;
            long held = now - start;
            if (held < thresholdNanos || s.warnedSeq == seq || s.startNanos != start) {
                continue;
            }
            s.warnedSeq = seq;
            long heldMillis = TimeUnit.NANOSECONDS.toMillis(held);
            log.warn("handler for event '{}' of socket {} has held thread {} for {} ms (threshold {} ms); "
                    + "declare it blocking if it waits on I/O", event, socketId, s.thread.getName(), heldMillis,
                    TimeUnit.NANOSECONDS.toMillis(thresholdNanos));
            safely(() -> events.slow(socketId, event, s.thread.getName(), heldMillis));
        }
    }

    private Slot newSlot() {
        Slot s = new Slot(Thread.currentThread());
        slots.add(s);
        return s;
    }

    private static void rethrowIfFatal(Throwable t) {
        if (t instanceof VirtualMachineError && !(t instanceof StackOverflowError)) {
            throw (VirtualMachineError) t;
        }
    }

    private static void safely(Runnable hook) {
        try {
            hook.run();
        } catch (RuntimeException e) {
            log.warn("handler events hook failed: {}", e.toString());
        }
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * What one thread is running. Written only by {@link #thread}; read by the watchdog. {@code seq}
     * tells invocations apart so the watchdog warns once per invocation; {@code startNanos == 0} means
     * idle and is written last on begin, so the watchdog sees the names of the invocation it times.
     */
    private static final class Slot {
        final Thread thread;
        volatile String socketId;
        volatile String event;
        volatile long seq;
        volatile long startNanos;
        /** Watchdog thread only. */
        long warnedSeq;

        Slot(Thread thread) {
            this.thread = thread;
        }

        void begin(String socketId, String event) {
            this.socketId = socketId;
            this.event = event;
            this.seq = seq + 1;
            long now = System.nanoTime();
            this.startNanos = now == 0 ? 1 : now;
        }
    }
}
