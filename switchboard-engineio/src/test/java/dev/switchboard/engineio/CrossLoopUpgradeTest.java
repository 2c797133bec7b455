package dev.switchboard.engineio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.routing.EncodedMessage;
import dev.switchboard.core.routing.Subscriber;
import dev.switchboard.testkit.LeakDetectorExtension;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An upgrade whose WebSocket connection lands on a different event loop than the session (two
 * loops; the polling and WebSocket connections are accepted one after the other, so round-robin puts
 * them on different loops, which the test checks): frames still leave in the order the session
 * wrote them, volatile packets are dropped once the peer stops reading, and a peer that never reads
 * is closed as a slow client within the pending-bytes cap.
 */
@ExtendWith(LeakDetectorExtension.class)
class CrossLoopUpgradeTest {

    /** Upgrades a polling session to a raw WebSocket on a second connection; returns the session. */
    private static Session upgrade(EngineFixture f, RawHttp polling, RawHttp ws) throws Exception {
        String sid = polling.handshake();
        ws.send("GET /engine.io/?EIO=4&transport=websocket&sid=" + sid + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n");
        assertThat(ws.read().status()).isEqualTo(101);
        sendText(ws, "2probe");
        assertThat(readText(ws)).isEqualTo("3probe");
        sendText(ws, "5");
        Session s = (Session) f.engine.session(sid);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> s.transport() == TransportKind.WEBSOCKET);
        assertThat(s.webSocketChannel().eventLoop()).as("the WebSocket's loop").isNotSameAs(s.eventLoop());
        // Only WebSocket handlers are left: no HTTP keep-alive, no idle timer (the heartbeat covers it).
        List<String> names = s.webSocketChannel().eventLoop().submit(() -> s.webSocketChannel().pipeline().names())
                .get(5, TimeUnit.SECONDS);
        assertThat(names).contains("engineio-ws").doesNotContain("idle-state", "idle-closer", "http-keep-alive");
        return s;
    }

    /** A masked client text frame (zero mask key). */
    private static void sendText(RawHttp c, String text) throws IOException {
        byte[] p = text.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x81);
        out.write(0x80 | p.length); // short frames only
        out.writeBytes(new byte[4]);
        out.writeBytes(p);
        c.send(out.toByteArray());
    }

    /** Reads one unmasked server frame; returns its payload as text (binary frames as "B:" + length). */
    private static String readText(RawHttp c) throws IOException {
        int b0 = c.in.read();
        int b1 = c.in.read();
        if (b0 < 0 || b1 < 0) {
            throw new IOException("connection closed");
        }
        long len = b1 & 0x7f;
        if (len == 126) {
            len = ((c.in.read() & 0xff) << 8) | (c.in.read() & 0xff);
        } else if (len == 127) {
            len = 0;
            for (int i = 0; i < 8; i++) {
                len = (len << 8) | (c.in.read() & 0xff);
            }
        }
        byte[] payload = c.in.readNBytes((int) len);
        int opcode = b0 & 0x0f;
        return opcode == 2 ? "B:" + payload.length : new String(payload, StandardCharsets.UTF_8);
    }

    private static <T> T onLoop(Session s, java.util.concurrent.Callable<T> task) throws Exception {
        return s.eventLoop().submit(task).get(10, TimeUnit.SECONDS);
    }

    @Test
    void framesLeaveInTheOrderTheSessionWroteThem() throws Exception {
        try (EngineFixture f = new EngineFixture(EngineIoConfig.defaults(), null, 2);
             RawHttp polling = new RawHttp(f.address); RawHttp ws = new RawHttp(f.address)) {
            Session s = upgrade(f, polling, ws);
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                expected.add(i % 10 == 0 ? "4fan-" + i : "4send-" + i);
            }
            // From the session's loop (sends and encode-once writes interleaved) and, for half of
            // them, from a foreign thread through send(): all in one order.
            onLoop(s, () -> {
                for (int i = 0; i < 500; i++) {
                    write(s, i);
                }
                return null;
            });
            for (int i = 500; i < 1000; i++) {
                if (i % 10 == 0) {
                    int n = i;
                    onLoop(s, () -> write(s, n));
                } else {
                    s.send("send-" + i);
                }
            }
            List<String> got = new ArrayList<>();
            while (got.size() < expected.size()) {
                String frame = readText(ws);
                if (!frame.equals("2")) { // a heartbeat ping may slip in
                    got.add(frame);
                }
            }
            assertThat(got).isEqualTo(expected);
            assertThat(s.isOpen()).isTrue();
        }
    }

    private static Subscriber.Delivery write(Session s, int i) {
        if (i % 10 != 0) {
            s.send("send-" + i);
            return Subscriber.Delivery.WRITTEN;
        }
        EncodedMessage m = EncodedMessage.of(EngineWireFormats.WEBSOCKET,
                EngineWireFormats.textMessage(EngineWireFormats.WEBSOCKET, PooledByteBufAllocator.DEFAULT, "fan-" + i));
        try {
            Subscriber.Delivery d = s.write(m, false);
            s.flush();
            return d;
        } finally {
            m.release();
        }
    }

    @Test
    void aPeerThatStopsReadingGetsVolatileDropsThenASlowClientClose() throws Exception {
        int cap = 1 << 20;
        EngineIoConfig config = EngineIoConfig.builder().maxPendingBytes(cap).build();
        try (EngineFixture f = new EngineFixture(config, null, 2);
             RawHttp polling = new RawHttp(f.address); RawHttp ws = new RawHttp(f.address)) {
            Session s = upgrade(f, polling, ws);
            ws.socket.setReceiveBufferSize(4096); // the peer reads nothing from here on
            String chunk = "x".repeat(32 * 1024);
            int dropped = 0;
            Subscriber.Delivery last = null;
            for (int i = 0; i < 2_000 && last != Subscriber.Delivery.REJECTED; i++) {
                boolean vol = i % 2 == 1;
                EncodedMessage m = EncodedMessage.of(EngineWireFormats.WEBSOCKET, EngineWireFormats.textMessage(
                        EngineWireFormats.WEBSOCKET, PooledByteBufAllocator.DEFAULT, chunk));
                try {
                    last = onLoop(s, () -> {
                        Subscriber.Delivery d = s.write(m, vol);
                        s.flush();
                        return d;
                    });
                } finally {
                    m.release();
                }
                if (last == Subscriber.Delivery.DROPPED_VOLATILE) {
                    dropped++;
                }
                if (i % 16 == 0) {
                    // let the WebSocket's loop hand what it has to the kernel, as a real publisher's pace would
                    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> onLoop(s, () -> true));
                }
            }
            assertThat(last).isEqualTo(Subscriber.Delivery.REJECTED);
            assertThat(dropped).as("volatile packets dropped while the peer was not reading").isPositive();
            assertThat(s.isOpen()).isFalse();
            assertThat(f.engine.slowClientCloses()).isEqualTo(1);
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> f.engine.session(s.id()) == null);
        }
    }
}
