package dev.switchboard.server.bridge;

import com.typesafe.config.Config;
import dev.switchboard.core.bridge.Bridge;
import dev.switchboard.core.bridge.BridgeContext;
import dev.switchboard.core.bridge.BridgeFactory;
import dev.switchboard.core.bridge.Inbound;
import dev.switchboard.core.message.Message;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-process bridge whose "external system" is the test: a source queue of records that its consumer
 * thread publishes through the inbound side and acknowledges only when the fabric accepted them, and a
 * sink of sent messages whose confirmations the test gives. Options: {@code mode = manual} (the test
 * confirms each send), {@code fail} (every send is refused), {@code throw-once} (the first send throws).
 * Type {@code test-loopback}; instances by name in {@link #INSTANCES}.
 */
public final class LoopbackBridge implements Bridge {

    static final Map<String, LoopbackBridge> INSTANCES = new ConcurrentHashMap<>();

    record Record(String room, String event, String json) {}

    record Sent(Message message, CompletableFuture<Void> confirmation) {}

    final String name;
    final String mode;
    final BlockingQueue<Record> source = new LinkedBlockingQueue<>();
    final List<Record> acknowledged = new CopyOnWriteArrayList<>();
    final List<Sent> sent = new CopyOnWriteArrayList<>();
    final AtomicInteger starts = new AtomicInteger();
    private final AtomicInteger throwsLeft;
    private volatile Thread consumer;
    /** The inbound side of the running incarnation, for tests that publish a message of their own. */
    volatile Inbound inbound;

    LoopbackBridge(String name, String mode) {
        this.name = name;
        this.mode = mode;
        this.throwsLeft = new AtomicInteger(mode.equals("throw-once") ? 1 : 0);
    }

    @Override
    public void start(BridgeContext context) {
        starts.incrementAndGet();
        Inbound inbound = context.inbound();
        this.inbound = inbound;
        Thread t = new Thread(() -> consume(inbound), "loopback-source-" + name);
        t.setDaemon(true);
        consumer = t;
        t.start();
    }

    /** The consumer loop: one record at a time, acknowledged to the source after the fabric accepted it. */
    private void consume(Inbound inbound) {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Record r = source.poll(100, TimeUnit.MILLISECONDS);
                if (r == null) {
                    continue;
                }
                Message m = Message.builder("/", r.event()).rooms(Set.of(r.room())).arguments("[" + r.json() + "]").build();
                inbound.publish(m).whenComplete((accepted, error) -> {
                    if (error == null) {
                        acknowledged.add(r);
                    } else {
                        source.add(r); // not accepted: redeliver
                    }
                });
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public CompletionStage<Void> send(Message message) {
        if (throwsLeft.getAndDecrement() > 0) {
            throw new RuntimeException("loopback bridge " + name + " crashed on purpose");
        }
        CompletableFuture<Void> confirmation = mode.equals("fail")
                ? CompletableFuture.failedFuture(new java.io.IOException("refused by the loopback system"))
                : new CompletableFuture<>();
        sent.add(new Sent(message, confirmation));
        return confirmation;
    }

    @Override
    public void stop() throws InterruptedException {
        Thread t = consumer;
        consumer = null;
        if (t != null) {
            t.interrupt();
            t.join(5_000);
        }
    }

    public static final class Factory implements BridgeFactory {
        @Override
        public String type() {
            return "test-loopback";
        }

        @Override
        public Bridge create(String name, Config options) {
            String mode = options.hasPath("mode") ? options.getString("mode") : "manual";
            if (!Set.of("manual", "fail", "throw-once").contains(mode)) {
                throw new IllegalArgumentException("options.mode must be manual, fail or throw-once, was " + mode);
            }
            LoopbackBridge b = new LoopbackBridge(name, mode);
            INSTANCES.put(name, b);
            return b;
        }
    }
}
