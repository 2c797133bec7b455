package dev.switchboard.store;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.switchboard.core.spi.QueueStore.QueuedMessage;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;

/**
 * The child process of {@link CrashTest}: opens the store with FSYNC durability and writes until it is
 * killed, printing one line per write the store acknowledged. Lines are printed from the store's
 * writer thread in completion order and flushed at once, so a line the parent read is a write the
 * store had acknowledged before the kill.
 *
 * <pre>
 * stream mode: "A offset index"  (append of payload "p&lt;index&gt;" acknowledged)
 * queue mode:  "E id index"      (enqueue acknowledged), "S id" (consumer ack submitted),
 *              "C id"            (consumer ack acknowledged)
 * </pre>
 */
public final class CrashWorkload {

    /** Writes in flight at once: enough to form group commits. */
    private static final int IN_FLIGHT = 64;

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        Path dir = Path.of(args[1]);
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false, UTF_8);
        EmbeddedStore store = EmbeddedStore.open(StoreConfig.newBuilder(dir).durability(Durability.FSYNC).build());
        out.println("READY");
        out.flush();
        Semaphore window = new Semaphore(IN_FLIGHT);
        if (mode.equals("stream")) {
            for (long i = 0; ; i++) {
                window.acquire();
                long index = i;
                store.append("room", java.util.UUID.randomUUID().toString(), ("p" + index).getBytes(UTF_8)).whenComplete((offset, err) -> {
                    window.release();
                    if (err == null) {
                        out.println("A " + offset + " " + index);
                        out.flush();
                    }
                });
            }
        } else {
            Thread consumer = new Thread(() -> consume(store, out), "consumer");
            consumer.setDaemon(true);
            consumer.start();
            for (long i = 0; ; i++) {
                window.acquire();
                long index = i;
                store.enqueue("inbox", java.util.UUID.randomUUID().toString(), ("q" + index).getBytes(UTF_8)).whenComplete((id, err) -> {
                    window.release();
                    if (err == null) {
                        out.println("E " + id + " " + index);
                        out.flush();
                    }
                });
            }
        }
    }

    /** Leases what is there and acks every other message, leaving the rest leased (to be redelivered). */
    private static void consume(EmbeddedStore store, PrintStream out) {
        while (true) {
            List<QueuedMessage> batch = store.lease("inbox", 50, Duration.ofHours(1)).toCompletableFuture().join();
            for (QueuedMessage m : batch) {
                if (m.id() % 2 == 0) {
                    long id = m.id();
                    // Announced before the ack is submitted: once it is, the message may be gone after a
                    // crash even if its completion ("C") was never printed.
                    out.println("S " + id);
                    out.flush();
                    store.ack(m.delivery()).whenComplete((v, err) -> {
                        if (err == null) {
                            out.println("C " + id);
                            out.flush();
                        }
                    });
                }
            }
        }
    }
}
