package dev.switchboard.bench.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Linux process figures from {@code /proc}: resident memory, CPU time, open descriptors. A server
 * started through a wrapper script is measured as its whole process tree.
 */
final class ProcStats {

    /** USER_HZ; 100 on every Linux the harness runs on (sysconf(_SC_CLK_TCK)). */
    static final long TICKS_PER_SECOND = 100;

    private ProcStats() {}

    /** VmRSS of the process and its descendants, in KiB; 0 for processes already gone. */
    static long rssKb(ProcessHandle root) {
        return tree(root).mapToLong(ProcStats::rssKbOf).sum();
    }

    /** utime + stime of the process and its descendants, in milliseconds. */
    static long cpuMillis(ProcessHandle root) {
        return tree(root).mapToLong(ProcStats::cpuTicksOf).sum() * 1000 / TICKS_PER_SECOND;
    }

    /** utime + stime of the process and its descendants, in microseconds (resolution one tick, 10 ms). */
    static long cpuMicros(ProcessHandle root) {
        return tree(root).mapToLong(ProcStats::cpuTicksOf).sum() * 1_000_000 / TICKS_PER_SECOND;
    }

    /**
     * CPU time (utime + stime, µs) of each thread of one process, summed over threads whose names differ
     * only in digits (so {@code epollEventLoopGroup-2-1} and {@code -2-2} count as one group
     * {@code epollEventLoopGroup-#-#}). Empty when the process is gone.
     */
    static Map<String, Long> threadCpuMicros(long pid) {
        Map<String, Long> out = new TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readAllLines(task.resolve("stat")).get(0);
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[0-9]+", "#");
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
                    out.merge(name, ticks * 1_000_000 / TICKS_PER_SECOND, Long::sum);
                } catch (IOException | RuntimeException e) {
                    // thread ended between listing and reading
                }
            }
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
        return out;
    }

    /** Open descriptors of one process, or -1. */
    static long openFds(long pid) {
        try (Stream<Path> s = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return s.count();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The 1-minute load average of the machine, or "?". */
    static String loadAverage() {
        try {
            return Files.readAllLines(Path.of("/proc/loadavg")).get(0).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private static Stream<ProcessHandle> tree(ProcessHandle root) {
        return Stream.concat(Stream.of(root), root.descendants());
    }

    private static long rssKbOf(ProcessHandle p) {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc", Long.toString(p.pid()), "status"));
            for (String line : lines) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // process exited between listing and reading
        }
        return 0;
    }

    private static long cpuTicksOf(ProcessHandle p) {
        try {
            String stat = Files.readAllLines(Path.of("/proc", Long.toString(p.pid()), "stat")).get(0);
            // fields after the command (which may contain spaces) start after the last ')'
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
