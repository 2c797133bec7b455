package dev.switchboard.core.handler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.DefaultEventLoop;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HandlerRunnerTest {

    private final List<String> failed = new CopyOnWriteArrayList<>();
    private final List<String> slow = new CopyOnWriteArrayList<>();
    private final List<String> rejected = new CopyOnWriteArrayList<>();
    private final CountDownLatch slowReported = new CountDownLatch(1);

    private final HandlerEvents events = new HandlerEvents() {
        @Override
        public void failed(String socketId, String event, Throwable error) {
            failed.add(socketId + "/" + event + "/" + error.getMessage());
        }

        @Override
        public void slow(String socketId, String event, String thread, long heldMillis) {
            slow.add(socketId + "/" + event + "@" + thread);
            slowReported.countDown();
        }

        @Override
        public void rejected(String socketId, String event) {
            rejected.add(socketId + "/" + event);
        }
    };

    private HandlerRunner runner;

    @AfterEach
    void close() {
        if (runner != null) {
            runner.close();
        }
    }

    private HandlerRunner runner(HandlerConfig.Builder b) {
        runner = HandlerRunner.create(b.events(events).build());
        return runner;
    }

    @Test
    void anInlineHandlerThatThrowsIsContainedAndItsErrorHandedBack() {
        HandlerRunner r = runner(HandlerConfig.builder());
        Throwable error = r.runInline("sock-1", "chat", () -> {
            throw new IllegalStateException("user bug");
        });
        assertThat(error).isInstanceOf(IllegalStateException.class).hasMessage("user bug");
        assertThat(failed).containsExactly("sock-1/chat/user bug");
        assertThat(r.runInline("sock-1", "chat", () -> { })).isNull();
        assertThat(failed).hasSize(1);
    }

    @Test
    void theWatchdogNamesAHandlerThatHoldsAnEventLoopWhileItStillRuns() throws Exception {
        // 1 s: an empty handler never takes that long, even on a loaded machine; the held ones wait for
        // their report, so the threshold costs only its own length.
        HandlerRunner r = runner(HandlerConfig.builder().slowThreshold(Duration.ofSeconds(1)));
        DefaultEventLoop loop = new DefaultEventLoop();
        try {
            // The handler holds the loop until the watchdog has reported it: the warning comes while it runs.
            Throwable error = loop.submit(() -> r.runInline("sock-9", "report", () -> {
                if (!slowReported.await(10, TimeUnit.SECONDS)) {
                    throw new AssertionError("watchdog never reported the held loop");
                }
            })).get(15, TimeUnit.SECONDS);
            assertThat(error).isNull();
            assertThat(slow).hasSize(1);
            assertThat(slow.get(0)).startsWith("sock-9/report@");
            // A fast handler afterwards is not reported: the next report is that of a held marker handler.
            loop.submit(() -> r.runInline("sock-9", "fast", () -> { })).get(5, TimeUnit.SECONDS);
            Throwable markerError = loop.submit(() -> r.runInline("sock-9", "marker",
                    () -> Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> slow.size() >= 2)))
                    .get(15, TimeUnit.SECONDS);
            assertThat(markerError).isNull();
            assertThat(slow).hasSize(2);
            assertThat(slow.get(1)).as("the report after the fast handler").startsWith("sock-9/marker@");
        } finally {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void anIdleWatchdogParksAndTheNextHeldHandlerWakesIt() throws Exception {
        // 100 ms threshold (the default): parked after a quiet threshold, i.e. no periodic wake-ups when idle
        HandlerRunner r = runner(HandlerConfig.builder().slowThreshold(Duration.ofMillis(100)));
        DefaultEventLoop loop = new DefaultEventLoop();
        try {
            loop.submit(() -> r.runInline("sock-1", "fast", () -> { })).get(5, TimeUnit.SECONDS);
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(r::watchdogParked);
            // parked means parked: it stays so while nothing runs (it would flip back if it polled)
            Awaitility.await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(r::watchdogParked);
            assertThat(slow).isEmpty();

            Throwable error = loop.submit(() -> r.runInline("sock-2", "held", () -> {
                if (!slowReported.await(10, TimeUnit.SECONDS)) {
                    throw new AssertionError("the parked watchdog never woke up for a held handler");
                }
            })).get(15, TimeUnit.SECONDS);
            assertThat(error).isNull();
            assertThat(slow).hasSize(1);
            assertThat(slow.get(0)).startsWith("sock-2/held@");
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(r::watchdogParked);
        } finally {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void blockingHandlersRunOnTheBoundedPoolAndAreRejectedPastItsQueue() throws Exception {
        HandlerRunner r = runner(HandlerConfig.builder().workers(1).queueCapacity(1));
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(1);
        List<String> threads = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> first = r.runBlocking("s", "upload", () -> {
            threads.add(Thread.currentThread().getName());
            running.countDown();
            release.await();
        });
        assertThat(running.await(5, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Void> queued = r.runBlocking("s", "upload", () -> threads.add(Thread.currentThread().getName()));
        CompletableFuture<Void> refused = r.runBlocking("s", "upload", () -> threads.add("must not run"));

        assertThat(refused).isCompletedExceptionally();
        assertThatThrownBy(refused::join).hasCauseInstanceOf(HandlerRejectedException.class);
        assertThat(rejected).containsExactly("s/upload");

        release.countDown();
        first.get(5, TimeUnit.SECONDS);
        queued.get(5, TimeUnit.SECONDS);
        assertThat(threads).hasSize(2).allMatch(t -> t.startsWith("switchboard-handler-"));
    }

    @Test
    void aBlockingHandlerThatThrowsFailsItsStage() {
        HandlerRunner r = runner(HandlerConfig.builder());
        CompletableFuture<Void> done = r.runBlocking("s", "save", () -> {
            throw new java.io.IOException("db down");
        });
        assertThatThrownBy(() -> done.get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(java.io.IOException.class);
        assertThat(failed).containsExactly("s/save/db down");
    }

    @Test
    void aClosedRunnerRejectsBlockingHandlers() {
        HandlerRunner r = runner(HandlerConfig.builder());
        r.close();
        assertThatThrownBy(() -> r.runBlocking("s", "e", () -> { }).join())
                .hasCauseInstanceOf(HandlerRejectedException.class);
    }

    @Test
    void invalidOptionsAreRefusedWhenSet() {
        assertThatThrownBy(() -> HandlerConfig.builder().workers(0)).hasMessageContaining("workers");
        assertThatThrownBy(() -> HandlerConfig.builder().queueCapacity(0)).hasMessageContaining("queue");
        assertThatThrownBy(() -> HandlerConfig.builder().slowThreshold(Duration.ZERO)).hasMessageContaining("threshold");
    }

    @Test
    void micrometerEventsCountFailuresAndRejections() {
        var meters = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        runner = HandlerRunner.create(HandlerConfig.builder().workers(1).queueCapacity(1)
                .events(HandlerEvents.micrometer(meters)).build());
        runner.runInline("s", "e", () -> {
            throw new IllegalStateException("x");
        });
        runner.close();
        runner.runBlocking("s", "e", () -> { });
        assertThat(meters.counter("switchboard.handlers.failed").count()).isEqualTo(1.0);
        assertThat(meters.counter("switchboard.handlers.rejected").count()).isEqualTo(1.0);
    }
}
