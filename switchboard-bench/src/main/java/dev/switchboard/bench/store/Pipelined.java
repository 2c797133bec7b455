package dev.switchboard.bench.store;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SynchronizedHistogram;

/**
 * Drives an asynchronous operation with a fixed number in flight (the window) for a warm-up and then
 * a measured period, recording the latency of each operation from submit to completion.
 */
final class Pipelined {

    private Pipelined() {}

    static Measurement run(String system, String scenario, int messageBytes, int window, double warmupSeconds,
                           double measureSeconds, Supplier<CompletionStage<?>> op) throws InterruptedException {
        Histogram latency = new SynchronizedHistogram(TimeUnit.SECONDS.toMicros(60), 3);
        Semaphore inFlight = new Semaphore(window);
        AtomicLong completed = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long start = System.nanoTime();
        long measureFrom = start + (long) (warmupSeconds * 1e9);
        long end = measureFrom + (long) (measureSeconds * 1e9);
        long measuredStart = 0;
        boolean measuring = false;
        long now;
        while ((now = System.nanoTime()) < end && failure.get() == null) {
            if (!measuring && now >= measureFrom) {
                inFlight.acquire(window); // drain the warm-up
                latency.reset();
                completed.set(0);
                inFlight.release(window);
                measuring = true;
                measuredStart = System.nanoTime();
            }
            inFlight.acquire();
            long t0 = System.nanoTime();
            boolean record = measuring;
            op.get().whenComplete((v, err) -> {
                if (err != null) {
                    failure.compareAndSet(null, err);
                } else if (record) {
                    latency.recordValue(Math.max(1, (System.nanoTime() - t0) / 1000));
                    completed.incrementAndGet();
                }
                inFlight.release();
            });
        }
        inFlight.acquire(window);
        double seconds = (System.nanoTime() - measuredStart) / 1e9;
        if (failure.get() != null) {
            throw new IllegalStateException(system + " " + scenario + " failed", failure.get());
        }
        return new Measurement(system, scenario, completed.get(), seconds, messageBytes,
                latency.getValueAtPercentile(50), latency.getValueAtPercentile(99), window + " in flight");
    }
}
