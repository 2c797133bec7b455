package dev.switchboard.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * This process's limits that bound how many connections it can hold: {@code nofile} (soft and hard,
 * from {@code /proc/self/limits}; a JVM cannot raise them itself, so {@code switchboard-bench/run}
 * raises the soft limit to the hard one before starting Java), the open-descriptor count, and the
 * ephemeral port range shared by each source address.
 */
public final class FdLimits {

    private FdLimits() {}

    /** {@code soft/hard} of "Max open files" for {@code pid} ("self" for this process), or "unknown". */
    public static String nofile(String pid) {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc", pid, "limits"));
            for (String line : lines) {
                if (line.startsWith("Max open files")) {
                    String[] f = line.substring("Max open files".length()).trim().split("\\s+");
                    return f[0] + "/" + f[1];
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or the process is gone: say so in the report instead of failing the run
        }
        return "unknown";
    }

    /** The soft {@code nofile} limit of this process, or -1 when unknown. */
    public static long softNofile() {
        String s = nofile("self");
        try {
            return Long.parseLong(s.substring(0, s.indexOf('/')));
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** Descriptors this process has open now, or -1 when unknown. */
    public static long openDescriptors() {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Size of {@code net.ipv4.ip_local_port_range}: ports per source address, or -1 when unknown. */
    public static int ephemeralPortsPerAddress() {
        try {
            // readAllLines, not readString: procfs reports size 0 and readString can come back short
            String[] r = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim().split("\\s+");
            return Integer.parseInt(r[1]) - Integer.parseInt(r[0]) + 1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
