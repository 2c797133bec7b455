package dev.switchboard.core.routing;

import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Gathers the answers to one message that asked for acknowledgements, on the node that published it
 * (socket.io-adapter's broadcastWithAck): each node that was sent the message reports how many
 * recipients it handed it to ({@link #nodeCount}), each recipient's answer arrives as
 * {@link #acknowledged}. Complete once every expected node reported and the answers reach the sum of
 * their counts; otherwise the timeout completes it with what came, so a node that is gone never makes
 * the publisher wait longer than the timeout.
 *
 * <p>Thread-safe: answers come from event loops and from the backplane's receiver; state is guarded
 * by this object's monitor.
 */
final class AckCollector implements AckSink {

    private final long ackId;
    private final long deadlineNanos;
    private final CompletableFuture<AckResult> result = new CompletableFuture<>();
    private final ScheduledFuture<?> timer;
    /** @GuardedBy this */
    private int nodesPending;
    /** @GuardedBy this */
    private int expected;
    /** @GuardedBy this */
    private final List<byte[]> responses = new ArrayList<>();

    /**
     * @param nodes nodes whose count is awaited, this one included
     */
    AckCollector(long ackId, Duration timeout, int nodes) {
        this.ackId = ackId;
        this.deadlineNanos = System.nanoTime() + timeout.toNanos();
        this.nodesPending = nodes;
        this.timer = GlobalEventExecutor.INSTANCE.schedule(this::expire, timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    CompletionStage<AckResult> result() {
        return result;
    }

    @Override
    public long ackId() {
        return ackId;
    }

    @Override
    public long remainingMillis() {
        if (result.isDone()) {
            return 0;
        }
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
    }

    /** A node (this one or another) handed the message to {@code recipients} of its subscribers. */
    synchronized void nodeCount(int recipients) {
        if (result.isDone()) {
            return;
        }
        nodesPending--;
        expected += recipients;
        completeIfDone();
    }

    /** A node that was expected will not answer (it left the cluster). */
    synchronized void nodeGone() {
        nodeCount(0);
    }

    @Override
    public synchronized void acknowledged(byte[] response) {
        if (result.isDone()) {
            return;
        }
        responses.add(response);
        completeIfDone();
    }

    private void completeIfDone() {
        if (nodesPending <= 0 && responses.size() >= expected) {
            timer.cancel(false);
            result.complete(new AckResult(expected, responses, true));
        }
    }

    private synchronized void expire() {
        result.complete(new AckResult(expected, responses, false));
    }
}
