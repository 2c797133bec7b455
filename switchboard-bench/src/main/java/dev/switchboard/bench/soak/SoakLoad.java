package dev.switchboard.bench.soak;

import io.socket.client.Ack;
import io.socket.client.IO;
import io.socket.client.Socket;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The soak's mixed load against one server, at a modest constant rate (the machine is shared):
 * <ul>
 *   <li>churning clients (official Java client, polling or WebSocket): connect, subscribe to a few rooms
 *       with {@code switchboard:subscribe}, unsubscribe some, disconnect after a few seconds, come back;</li>
 *   <li>broadcasts through the HTTP API to those rooms, some waiting for the clients' acks;</li>
 *   <li>slow clients: a WebSocket handshake, then never reading;</li>
 *   <li>garbage clients: half request heads, bytes that are not HTTP, malformed Socket.IO packets.</li>
 * </ul>
 * Counts what happened, for the report.
 */
final class SoakLoad implements AutoCloseable {

    private static final String[] ROOMS = {"soak-a", "soak-b", "soak-c", "soak-d"};

    private final String base;
    private final int port;
    private final int clients;
    private final Random random = new Random(42);
    private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "soak-load");
        t.setDaemon(true);
        return t;
    });
    private final ConcurrentLinkedQueue<Socket> open = new ConcurrentLinkedQueue<>();
    private final List<java.net.Socket> slow = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final AtomicLong connects = new AtomicLong();
    final AtomicLong received = new AtomicLong();
    final AtomicLong acked = new AtomicLong();
    final AtomicLong publishes = new AtomicLong();
    final AtomicLong publishFailures = new AtomicLong();
    final AtomicLong garbage = new AtomicLong();

    SoakLoad(int port, int clients) {
        this.port = port;
        this.base = "http://127.0.0.1:" + port;
        this.clients = clients;
    }

    void start() {
        for (int i = 0; i < clients; i++) {
            timer.schedule(this::churn, random.nextInt(5000), TimeUnit.MILLISECONDS);
        }
        timer.scheduleWithFixedDelay(this::publish, 1000, 200, TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(this::abuse, 500, 1000, TimeUnit.MILLISECONDS);
    }

    /** One client's life: connect, subscribe, stay a while, leave; then schedules the next. */
    private void churn() {
        boolean ws = random.nextBoolean();
        Socket s = IO.socket(URI.create(base), IO.Options.builder().setForceNew(true).setReconnection(false)
                .setTransports(ws ? new String[] {"websocket"} : new String[] {"polling", "websocket"}).build());
        s.onAnyIncoming(args -> {
            received.incrementAndGet();
            if (args.length > 0 && args[args.length - 1] instanceof Ack ack) {
                ack.call("ok");
                acked.incrementAndGet();
            }
        });
        s.on(Socket.EVENT_CONNECT, a -> {
            connects.incrementAndGet();
            for (String room : ROOMS) {
                if (random.nextInt(3) > 0) {
                    s.emit("switchboard:subscribe", new Object[] {room}, ack -> { });
                }
            }
            if (random.nextBoolean()) {
                s.emit("switchboard:unsubscribe", new Object[] {ROOMS[random.nextInt(ROOMS.length)]}, ack -> { });
            }
        });
        open.add(s);
        s.connect();
        timer.schedule(() -> {
            s.close();
            open.remove(s);
            timer.schedule(this::churn, 200 + random.nextInt(1000), TimeUnit.MILLISECONDS);
        }, 2000 + random.nextInt(8000), TimeUnit.MILLISECONDS);
    }

    private void publish() {
        String room = ROOMS[random.nextInt(ROOMS.length)];
        boolean withAck = random.nextInt(4) == 0;
        String body = "{\"event\":\"tick\",\"data\":{\"n\":" + publishes.get() + "},\"rooms\":[\"" + room + "\"]"
                + (withAck ? ",\"ackTimeout\":2000}" : "}");
        http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/api/publish")).header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.discarding()).whenComplete((r, e) -> {
                    publishes.incrementAndGet();
                    if (e != null || r.statusCode() != 200) {
                        publishFailures.incrementAndGet();
                    }
                });
    }

    /** Slow and garbage clients, a few per second. */
    private void abuse() {
        try {
            switch (random.nextInt(4)) {
                case 0 -> raw("GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n", false);
                case 1 -> raw("\u0000\u00ff\u0016\u0003 not http at all\r\n\r\n", false);
                case 2 -> raw("POST /socket.io/?EIO=4&transport=polling&sid=nope HTTP/1.1\r\nHost: x\r\n"
                        + "Content-Length: 6\r\n\r\n4{{{{{", false);
                default -> {
                    if (slow.size() < 20) {
                        raw("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                + "Sec-WebSocket-Version: 13\r\n\r\n", true);
                    }
                }
            }
            garbage.incrementAndGet();
        } catch (Exception e) {
            // the server may refuse or close: that is what it should do
        }
    }

    private void raw(String text, boolean keep) throws Exception {
        java.net.Socket s = new java.net.Socket("127.0.0.1", port);
        s.setReceiveBufferSize(1024);
        OutputStream out = s.getOutputStream();
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        if (keep) {
            slow.add(s); // never read: its receive window fills up
        } else {
            timer.schedule(() -> {
                try {
                    s.close();
                } catch (Exception ignored) {
                    // closed already
                }
            }, 15, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        open.forEach(Socket::close);
        for (java.net.Socket s : slow) {
            try {
                s.close();
            } catch (Exception ignored) {
                // closed already
            }
        }
    }
}
