package dev.switchboard.socketio.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.switchboard.core.handler.HandlerConfig;
import dev.switchboard.core.handler.HandlerEvents;
import dev.switchboard.core.handler.HandlerRunner;
import dev.switchboard.core.routing.Routers;
import dev.switchboard.engineio.EngineIoConfig;
import dev.switchboard.socketio.Socket;
import dev.switchboard.socketio.SocketIoConfig;
import dev.switchboard.socketio.SocketIoServer;
import dev.switchboard.testkit.LeakDetectorExtension;
import dev.switchboard.transport.TransportConfig;
import io.socket.client.Ack;
import io.socket.client.IO;
import io.socket.engineio.client.transports.WebSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * User handlers run contained, seen from the official Java client: a listener that throws
 * gets the client an error ack and closes nothing; a blocking listener does not hold the event loop
 * other sockets share (one I/O thread here, so every socket is on the same loop); a full worker pool
 * answers "server busy"; the watchdog names an inline listener that holds the loop.
 */
@ExtendWith(LeakDetectorExtension.class)
class HandlerContainmentTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final AtomicInteger rejected = new AtomicInteger();
    private final AtomicInteger guardedRan = new AtomicInteger();
    private final Map<String, Throwable> errorsSeen = new ConcurrentHashMap<>();
    private final CountDownLatch slowStarted = new CountDownLatch(1);
    private final CountDownLatch fastAnswered = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private final CountDownLatch holding = new CountDownLatch(1);
    private final List<io.socket.client.Socket> clients = new ArrayList<>();
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger runnerLog = (Logger) LoggerFactory.getLogger(HandlerRunner.class);
    private HandlerRunner runner;
    private SocketIoServer sio;
    private String url;

    @BeforeEach
    void start() throws Exception {
        logs.start();
        runnerLog.addAppender(logs);
        // One worker and one queued handler: the third concurrent blocking handler is refused.
        runner = HandlerRunner.create(HandlerConfig.builder().workers(1).queueCapacity(1)
                // 1 s: no other listener here comes near it on a loaded machine (a slow-handler warning
                // naming 'boom' or 'guarded' would break the one-log-line checks); 'hog' holds the loop 2 s.
                .slowThreshold(Duration.ofSeconds(1))
                .events(new HandlerEvents() {
                    @Override
                    public void rejected(String socketId, String event) {
                        rejected.incrementAndGet();
                    }
                }).build());
        SocketIoConfig config = SocketIoConfig.builder()
                .engine(EngineIoConfig.builder().path(SocketIoConfig.DEFAULT_PATH).build())
                .transport(TransportConfig.builder().host("127.0.0.1").port(0).ioThreads(1).build())
                .build();
        sio = SocketIoServer.create(config, Routers.local(), runner);
        sio.on("connection", this::install);
        url = "http://127.0.0.1:" + sio.start().toCompletableFuture().get(10, TimeUnit.SECONDS).getPort();
    }

    private void install(Socket socket) {
        socket.onError(e -> errorsSeen.put(socket.id(), e));
        socket.use((event, args, next) -> {
            if ("guarded".equals(event)) {
                throw new IllegalArgumentException("middleware bug");
            }
            next.proceed();
        });
        socket.on("guarded", (args, ack) -> guardedRan.incrementAndGet());
        socket.on("echo", (args, ack) -> ack.send(args.toArray()));
        socket.on("boom", (args, ack) -> {
            throw new IllegalStateException("database password is hunter2");
        });
        // Deliberately slow, declared blocking: waits until the other socket was answered (or 5 s).
        socket.onBlocking("slow", (args, ack) -> {
            slowStarted.countDown();
            boolean otherAnsweredMeanwhile = fastAnswered.await(5, TimeUnit.SECONDS);
            ack.send(otherAnsweredMeanwhile ? "slow-after-fast" : "slow-timed-out");
        });
        socket.onBlocking("hold", (args, ack) -> {
            holding.countDown();
            release.await(10, TimeUnit.SECONDS);
            ack.send("held");
        });
        // Deliberately slow and NOT declared blocking: holds the loop past the 1 s threshold.
        socket.on("hog", (args, ack) -> {
            Thread.sleep(2000);
            ack.send("hogged");
        });
    }

    @AfterEach
    void stop() {
        release.countDown();
        clients.forEach(io.socket.client.Socket::close);
        sio.close().toCompletableFuture().join();
        runner.close();
        runnerLog.detachAppender(logs);
    }

    @Test
    void aThrowingListenerGetsAnErrorAckAndClosesNothing() throws Exception {
        io.socket.client.Socket a = connect();
        io.socket.client.Socket b = connect();

        Object[] answer = ask(a, "boom", "x");
        assertThat(answer).hasSize(1);
        JSONObject error = ((JSONObject) answer[0]).getJSONObject("error");
        assertThat(error.getString("message")).isEqualTo("internal error"); // not the exception's text

        assertThat(a.connected()).isTrue();
        assertThat(ask(a, "echo", "still here")).containsExactly("still here");
        assertThat(ask(b, "echo", "unaffected")).containsExactly("unaffected");
        assertThat(errorsSeen.get(a.id())).isInstanceOf(IllegalStateException.class);

        List<ILoggingEvent> failures = logs.list.stream()
                .filter(e -> e.getFormattedMessage().contains("'boom'")).toList();
        assertThat(failures).hasSize(1);
        assertThat(failures.get(0).getLevel()).isEqualTo(Level.WARN);
        assertThat(failures.get(0).getFormattedMessage()).contains(a.id()).contains("namespace /");
    }

    @Test
    void aThrowingPacketMiddlewareStopsTheEventWithAnErrorAck() throws Exception {
        io.socket.client.Socket a = connect();

        Object[] answer = ask(a, "guarded", "x");
        assertThat(((JSONObject) answer[0]).getJSONObject("error").getString("message")).isEqualTo("internal error");
        assertThat(ask(a, "echo", "after")).containsExactly("after"); // processed after 'guarded' on the loop
        assertThat(guardedRan).hasValue(0);
        assertThat(a.connected()).isTrue();
        assertThat(logs.list.stream().filter(e -> e.getFormattedMessage().contains("'guarded'"))).hasSize(1);
    }

    @Test
    void aBlockingListenerDoesNotDelayAnotherSocketOnTheSameLoop() throws Exception {
        io.socket.client.Socket slow = connect();
        io.socket.client.Socket fast = connect();
        BlockingQueue<String> order = new LinkedBlockingQueue<>();

        slow.emit("slow", new Object[] {1}, (Ack) args -> order.add(String.valueOf(args[0])));
        assertThat(slowStarted.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        fast.emit("echo", new Object[] {"fast"}, (Ack) args -> {
            order.add(String.valueOf(args[0]));
            fastAnswered.countDown();
        });

        assertThat(order.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("fast");
        assertThat(order.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("slow-after-fast");
        assertThat(slow.connected()).isTrue();
    }

    @Test
    void aFullPoolAnswersServerBusyAndCountsTheRefusalOnce() throws Exception {
        io.socket.client.Socket a = connect();
        BlockingQueue<String> held = new LinkedBlockingQueue<>();
        a.emit("hold", new Object[] {1}, (Ack) args -> held.add(String.valueOf(args[0])));  // the worker
        assertThat(holding.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        a.emit("hold", new Object[] {2}, (Ack) args -> held.add(String.valueOf(args[0])));  // the queue

        Object[] answer = ask(a, "hold", 3);                                                 // refused
        assertThat(((JSONObject) answer[0]).getJSONObject("error").getString("message")).isEqualTo("server busy");
        assertThat(rejected).hasValue(1);
        assertThat(logs.list.stream().filter(e -> e.getFormattedMessage().contains("rejected"))).hasSize(1);

        release.countDown();
        assertThat(held.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("held");
        assertThat(held.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("held");
        assertThat(a.connected()).isTrue();
    }

    @Test
    void theWatchdogNamesAnInlineListenerThatHoldsTheLoop() throws Exception {
        io.socket.client.Socket a = connect();
        assertThat(ask(a, "hog", 1)).containsExactly("hogged");
        await().atMost(WAIT).untilAsserted(() -> assertThat(logs.list.stream()
                .filter(e -> e.getLevel() == Level.WARN && e.getFormattedMessage().contains("'hog'"))
                .map(ILoggingEvent::getFormattedMessage))
                .singleElement().asString().contains(a.id()).contains("has held thread"));
    }

    private io.socket.client.Socket connect() throws Exception {
        IO.Options options = IO.Options.builder().setForceNew(true).setReconnection(false)
                .setTransports(new String[] {WebSocket.NAME}).build();
        io.socket.client.Socket s = IO.socket(URI.create(url + "/"), options);
        clients.add(s);
        CountDownLatch connected = new CountDownLatch(1);
        s.once(io.socket.client.Socket.EVENT_CONNECT, args -> connected.countDown());
        s.connect();
        assertThat(connected.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("connected").isTrue();
        return s;
    }

    private static Object[] ask(io.socket.client.Socket s, String event, Object arg) throws InterruptedException {
        BlockingQueue<Object[]> answers = new LinkedBlockingQueue<>();
        s.emit(event, new Object[] {arg}, (Ack) answers::add);
        Object[] answer = answers.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(answer).as("ack of " + event).isNotNull();
        return answer;
    }
}
