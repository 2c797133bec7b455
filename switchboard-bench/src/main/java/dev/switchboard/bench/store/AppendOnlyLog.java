package dev.switchboard.bench.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

/**
 * The hand-written alternative to RocksDB, at its simplest and fastest: one append-only file per
 * store, records {@code u32 length | u32 crc32c | payload}, one writer thread that group-commits
 * (one {@code write} of every pending record, then one {@code force} when syncing) — the same
 * threading and durability as the embedded store, minus everything a real log also needs (segments,
 * an offset index, retention, a time index, recovery scan, queues). It exists only to measure how much
 * faster such a log could append, to decide whether writing one is worth it.
 */
final class AppendOnlyLog implements AutoCloseable {

    private record Append(byte[] payload, CompletableFuture<Long> done) {}

    private final FileChannel channel;
    private final boolean sync;
    private final ArrayBlockingQueue<Append> pending = new ArrayBlockingQueue<>(65_536);
    private final Thread writer;
    private volatile boolean closing;
    private long nextOffset;

    AppendOnlyLog(Path file, boolean sync) throws IOException {
        this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        this.sync = sync;
        this.writer = new Thread(this::run, "append-only-log-writer");
        this.writer.start();
    }

    CompletionStage<Long> append(byte[] payload) {
        CompletableFuture<Long> done = new CompletableFuture<>();
        if (!pending.offer(new Append(payload, done))) {
            done.completeExceptionally(new IllegalStateException("overloaded"));
        }
        return done;
    }

    private void run() {
        List<Append> batch = new ArrayList<>(1024);
        ByteBuffer buffer = ByteBuffer.allocateDirect(8 << 20);
        CRC32C crc = new CRC32C();
        try {
            while (!closing || !pending.isEmpty()) {
                Append first = pending.poll(10, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                pending.drainTo(batch, 1023);
                buffer.clear();
                for (Append a : batch) {
                    crc.reset();
                    crc.update(a.payload());
                    buffer.putInt(a.payload().length).putInt((int) crc.getValue()).put(a.payload());
                }
                buffer.flip();
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                if (sync) {
                    channel.force(false);
                }
                for (Append a : batch) {
                    a.done().complete(nextOffset++);
                }
                batch.clear();
            }
        } catch (IOException | InterruptedException e) {
            for (Append a : batch) {
                a.done().completeExceptionally(e);
            }
        }
    }

    @Override
    public void close() throws Exception {
        closing = true;
        writer.join();
        channel.close();
    }
}
