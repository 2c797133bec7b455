package dev.switchboard.bench.soak;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * Whether a resource trends upward over the samples: the first minute is warm-up and not judged; the
 * rest must not end above the highest value of their first half by more than a relative and an absolute
 * margin (noise of a loaded machine, a pool that settles). A leak of a few objects per churned connection
 * shows as steady growth and fails over a long run; a short run can only catch large leaks.
 */
final class Trend {

    private Trend() {}

    /** The problems found; empty when nothing trends upward. */
    static List<String> check(List<Sample> samples) {
        List<String> problems = new ArrayList<>();
        check(samples, "heap after GC (KiB)", Sample::heapAfterGcKb, 0.20, 8 * 1024, problems);
        check(samples, "direct memory (KiB)", Sample::directKb, 0.25, 16 * 1024, problems);
        check(samples, "file descriptors", Sample::fds, 0.10, 50, problems);
        check(samples, "threads", Sample::threads, 0.10, 20, problems);
        return problems;
    }

    private static void check(List<Sample> samples, String what, ToLongFunction<Sample> f, double relative,
                              long absolute, List<String> problems) {
        List<Sample> judged = samples.size() > 2 ? samples.subList(1, samples.size()) : samples;
        if (judged.size() < 2) {
            return;
        }
        long baseline = judged.subList(0, Math.max(1, judged.size() / 2)).stream().mapToLong(f).max().orElse(0);
        long last = f.applyAsLong(judged.get(judged.size() - 1));
        if (baseline < 0 || last < 0) {
            return; // not measurable here
        }
        long allowed = baseline + Math.max(absolute, (long) (baseline * relative));
        if (last > allowed) {
            problems.add(what + " trends upward: " + last + " at the end, " + baseline + " at most in the first half"
                    + " (allowed up to " + allowed + ")");
        }
    }
}
