package dev.switchboard.bench.soak;

/**
 * One minute's figures of the server process.
 *
 * @param heapAfterGcKb heap in use right after a full GC ({@code jcmd GC.run}, {@code GC.heap_info}), KiB
 * @param directKb      direct buffers in use ({@code jvm_buffer_memory_used_bytes{id="direct"}}), KiB
 * @param fds           open file descriptors ({@code /proc/PID/fd})
 * @param threads       live threads ({@code /proc/PID/status} Threads)
 * @param sessions      open Engine.IO sessions ({@code switchboard_engineio_sessions})
 */
record Sample(int minute, long heapAfterGcKb, long directKb, long fds, long threads, long sessions) {

    String line() {
        return String.format("minute %3d  heap after GC %7d KiB  direct %7d KiB  fds %5d  threads %4d  sessions %4d",
                minute, heapAfterGcKb, directKb, fds, threads, sessions);
    }
}
