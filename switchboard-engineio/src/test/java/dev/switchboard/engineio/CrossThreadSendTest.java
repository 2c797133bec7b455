package dev.switchboard.engineio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.testkit.LeakDetectorExtension;
import io.netty.buffer.Unpooled;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link EngineSocket#send} from many threads at once: everything arrives, in order per sending thread. */
@ExtendWith(LeakDetectorExtension.class)
class CrossThreadSendTest {

    static final int THREADS = 4;
    static final int PER_THREAD = 250;

    @Test
    void sendsFromOtherThreadsHopOntoTheSessionLoop() throws Exception {
        try (EngineFixture f = new EngineFixture(EngineIoConfig.defaults(), null, 2)) {
            ConcurrentLinkedQueue<String> texts = new ConcurrentLinkedQueue<>();
            AtomicInteger binaries = new AtomicInteger();
            StringBuilder partial = new StringBuilder();
            WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(
                    URI.create(f.url().replace("http", "ws") + "/engine.io/?EIO=4&transport=websocket"),
                    new WebSocket.Listener() {
                        @Override
                        public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                            partial.append(data);
                            if (last) {
                                texts.add(partial.toString());
                                partial.setLength(0);
                            }
                            w.request(1);
                            return null;
                        }

                        @Override
                        public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
                            if (last) {
                                binaries.incrementAndGet();
                            }
                            w.request(1);
                            return null;
                        }
                    }).get(10, TimeUnit.SECONDS);
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> f.engine.sessionCount() == 1);
            EngineSocket socket = f.engine.sessions().iterator().next();

            CountDownLatch start = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int id = t;
                Thread thread = new Thread(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < PER_THREAD; i++) {
                        socket.send("t" + id + "-" + i);
                        if (i % 50 == 0) {
                            socket.send(Unpooled.wrappedBuffer(new byte[] {(byte) id, (byte) i}));
                        }
                    }
                }, "sender-" + t);
                threads.add(thread);
                thread.start();
            }
            start.countDown();
            for (Thread thread : threads) {
                thread.join(10_000);
            }
            // texts: the open packet plus every message
            Awaitility.await().atMost(Duration.ofSeconds(20))
                    .until(() -> texts.size() == 1 + THREADS * PER_THREAD && binaries.get() == THREADS * 5);
            Map<Integer, Integer> next = new java.util.HashMap<>();
            for (String text : texts) {
                if (text.startsWith("0")) {
                    continue;
                }
                assertThat(text).startsWith("4t");
                int dash = text.indexOf('-');
                int thread = Integer.parseInt(text.substring(2, dash));
                int i = Integer.parseInt(text.substring(dash + 1));
                assertThat(i).as("order of thread %d", thread).isEqualTo(next.getOrDefault(thread, 0));
                next.put(thread, i + 1);
            }
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(10, TimeUnit.SECONDS);
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> f.engine.sessionCount() == 0);
        }
    }
}
