package dev.switchboard.bench.load;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Latencies in microseconds, recorded from any thread (HdrHistogram's {@link Recorder} is wait-free
 * for writers). Values above {@link #HIGHEST_MICROS} are clamped to it so that one pathological
 * outlier cannot throw on the receiving event loop.
 */
public final class LatencyRecorder {

    /** One minute: no scenario waits longer for a message than its own bounded duration. */
    public static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(1);

    private final Recorder recorder = new Recorder(HIGHEST_MICROS, 3);
    private volatile boolean enabled = true;

    /** Records the time since {@code sentNanos}, taken from {@link System#nanoTime()} in this JVM. */
    public void recordSince(long sentNanos) {
        if (!enabled || sentNanos == Long.MIN_VALUE) {
            return;
        }
        long micros = (System.nanoTime() - sentNanos) / 1_000;
        recorder.recordValue(Math.max(0, Math.min(micros, HIGHEST_MICROS)));
    }

    /** Stops or resumes recording (a warm-up, the drain after a phase). */
    public void enabled(boolean on) {
        enabled = on;
    }

    /** Everything recorded since the last call, then starts over. */
    public Histogram takeInterval() {
        return recorder.getIntervalHistogram();
    }
}
