package dev.switchboard.core.bridge;

import dev.switchboard.core.message.Message;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A bridge whose external system is the test: it records what it was sent and answers each send with what
 * {@link #onSend} says (by default a confirmation the test completes itself); it exposes the context of its
 * current incarnation so the test can publish inbound, and counts pauses and resumes.
 */
final class ScriptedBridge implements Bridge {

    record Sent(Message message, CompletableFuture<Void> confirmation) {}

    final List<Sent> sent = new CopyOnWriteArrayList<>();
    final List<String> sendThreads = new CopyOnWriteArrayList<>();
    final AtomicInteger starts = new AtomicInteger();
    final AtomicInteger stops = new AtomicInteger();
    final AtomicInteger pauses = new AtomicInteger();
    final AtomicInteger resumes = new AtomicInteger();
    volatile BridgeContext context;
    volatile Function<Message, CompletableFuture<Void>> onSend = m -> new CompletableFuture<>();

    @Override
    public void start(BridgeContext context) {
        starts.incrementAndGet();
        this.context = context;
    }

    @Override
    public CompletionStage<Void> send(Message message) {
        sendThreads.add(Thread.currentThread().getName());
        CompletableFuture<Void> f = onSend.apply(message);
        sent.add(new Sent(message, f));
        return f;
    }

    @Override
    public void pauseInbound() {
        pauses.incrementAndGet();
    }

    @Override
    public void resumeInbound() {
        resumes.incrementAndGet();
    }

    @Override
    public void stop() {
        stops.incrementAndGet();
    }

    Inbound inbound() {
        return context.inbound();
    }
}
