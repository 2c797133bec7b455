package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.server.durable.DurableClient;
import dev.switchboard.testkit.NodePeers;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash test with the packaged server: messages are published to durable rooms and to an inbox through
 * the HTTP API while a socket.io-client acknowledges part of the inbox; the process is killed with
 * SIGKILL when a random number of publishes has been acknowledged, restarted on the same data
 * directory, and that twice. Then every publish that was answered 2xx must be in its room's history,
 * in order, exactly once (publishes cut by the kill may or may not be there, at most once), and every
 * inbox message the client had not acknowledged must be delivered again, while none it acknowledged
 * well before a kill may be (see {@link InboxLedger}): restarted clients acknowledge whatever they get,
 * so an empty inbox alone would not show that acknowledgements were stored.
 *
 * <p>The kill points are random; the run prints its seed ("DurableCrashIT seed N").
 */
class DurableCrashIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> ROOMS = List.of("orders-a", "orders-b");
    /** Its client acknowledges every inbox message. */
    private static final String USER = "crash-user";
    /** Its client never acknowledges before the last restart: all its messages are owed. */
    private static final String SILENT = "silent-user";

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** Per room: the numbers whose publish was answered 2xx. */
    private final Map<String, Set<Integer>> acked = new ConcurrentHashMap<>();
    /** Inbox numbers answered 201. */
    private final Set<Integer> inboxAcked = ConcurrentHashMap.newKeySet();
    private final Set<Integer> silentAcked = ConcurrentHashMap.newKeySet();
    /** Inbox numbers the client acknowledged (it may have done so just before a kill: then redelivery is allowed). */
    private final Set<Integer> clientAcked = ConcurrentHashMap.newKeySet();
    /** The inbox's ack timeout in the configuration below. */
    private static final Duration ACK_TIMEOUT = Duration.ofSeconds(2);
    /**
     * An ack this much older than a kill had reached the store: more than an ack timeout (after which a
     * late ack would have met a redelivery the client acks again), with seconds to spare on a loaded machine.
     */
    private static final Duration SETTLED = ACK_TIMEOUT.plusSeconds(3);
    private final InboxLedger ledger = new InboxLedger(SETTLED);

    private int post(String base, String path, String body) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path))
                    .timeout(Duration.ofSeconds(5)).header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode();
        } catch (IOException e) {
            return -1; // the server died under this request: unknown outcome
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private JsonNode get(String base, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    /** 0 for the first start, then the port it got: a restarted server is where clients left it. */
    private int port;

    private LaunchedServer launch(Path conf) {
        return LaunchedServer.start(dir, Map.of(), "--config", conf.toString(), "--port", Integer.toString(port),
                "--data", dir.resolve("data").toString());
    }

    private String listening(LaunchedServer server) {
        String base = server.awaitListening(LaunchedServer.STARTUP);
        port = URI.create(base).getPort();
        server.awaitReady(base, http);
        return base;
    }

    /** A socket.io-client of the inbox user that acknowledges every inbox event and reports it. */
    private static final String CHAT_ROOM = "durable-chat";
    /** Chat messages the socket.io-client publisher saw acknowledged. */
    private final Set<Integer> chatAcked = ConcurrentHashMap.newKeySet();

    private Process demoPublisher(String base, int start) {
        Process p = NodePeers.start(Path.of("src/test/js/demo-publisher.mjs"),
                Map.of("SERVER_URL", base, "ROOM", CHAT_ROOM, "START", Integer.toString(start)));
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.startsWith("{\"acked\"")) {
                        chatAcked.add(JSON.readTree(line).path("acked").asInt());
                    }
                }
            } catch (IOException ignored) {
                // ended
            }
        });
        t.setDaemon(true);
        t.start();
        return p;
    }

    private Process inboxClient(String base, String user, boolean ack, List<Integer> received, int round) {
        Process p = NodePeers.start(Path.of("src/test/js/durable-client.mjs"),
                Map.of("SERVER_URL", base, "AUTH", "{\"userId\":\"" + user + "\"}", "ACK", ack ? "on" : "off"));
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.startsWith("{")) {
                        JsonNode l = JSON.readTree(line);
                        if (l.path("type").asText().equals("event") && l.path("event").asText().equals("job")) {
                            int n = l.path("args").get(0).asInt();
                            received.add(n);
                            boolean acked = l.path("acked").asBoolean();
                            if (acked) {
                                clientAcked.add(n);
                            }
                            // Read after the client printed it, so after it sent the ack.
                            ledger.delivered(round, n, acked, System.nanoTime());
                        }
                    }
                }
            } catch (IOException ignored) {
                // ended
            }
        });
        t.setDaemon(true);
        t.start();
        return p;
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "policy {0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"os", "fsync"})
    void acknowledgedMessagesSurviveKillNineInOrderExactlyOnce(String policy) throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        System.out.println("DurableCrashIT seed " + seed);
        Path conf = dir.resolve("switchboard.conf");
        Files.writeString(conf, """
                switchboard {
                  durable.rooms = [ { room = "orders-*" }, { namespace = "/demo", room = "durable-*" } ]
                  durable.policy = %s
                  inbox { ack-timeout = %ds, max-attempts = 1000 }
                }
                """.formatted(policy, ACK_TIMEOUT.toSeconds()));
        ROOMS.forEach(r -> acked.put(r, ConcurrentHashMap.newKeySet()));
        AtomicInteger next = new AtomicInteger();
        AtomicInteger nextInbox = new AtomicInteger();
        List<Integer> received = Collections.synchronizedList(new ArrayList<>());

        DurableClient watcher = null;
        for (int round = 0; round < 2; round++) {
            LaunchedServer server = launch(conf);
            try {
                String base = listening(server);
                if (round == 0) {
                    // A socket.io-client in a durable room, connected when the first kill comes; it
                    // reconnects (pid + offset) only to the last server, after two crashes.
                    watcher = new DurableClient(base, "{}", true);
                    String id = watcher.awaitConnect(0).path("id").asText();
                    assertThat(post(base, "/api/join", "{\"sockets\":[\"" + id + "\"],\"rooms\":[\"orders-a\"]}")).isEqualTo(200);
                }
                DurableClient w = watcher;
                Process client = inboxClient(base, USER, true, received, round);
                // Publishes through Socket.IO: the demo chat acknowledges a message once it is stored.
                Process chat = demoPublisher(base, round * 1_000_000 + 1);
                List<Integer> silentReceived = Collections.synchronizedList(new ArrayList<>());
                Process silent = inboxClient(base, SILENT, false, silentReceived, round);
                AtomicBoolean running = new AtomicBoolean(true);
                AtomicInteger answered = new AtomicInteger();
                List<Thread> publishers = new ArrayList<>();
                for (String room : ROOMS) {
                    // One publisher per room: its numbers grow, so the room's history must be increasing.
                    publishers.add(new Thread(() -> {
                        while (running.get()) {
                            int n = next.incrementAndGet();
                            int status = post(base, "/api/publish",
                                    "{\"rooms\":[\"" + room + "\"],\"event\":\"order\",\"data\":" + n + "}");
                            if (status >= 200 && status < 300) {
                                acked.get(room).add(n);
                                answered.incrementAndGet();
                            } else if (status == -1) {
                                return;
                            }
                        }
                    }));
                }
                publishers.add(new Thread(() -> {
                    while (running.get()) {
                        int n = nextInbox.incrementAndGet();
                        String user = n % 3 == 0 ? SILENT : USER;
                        int status = post(base, "/api/inbox", "{\"user\":\"" + user + "\",\"event\":\"job\",\"data\":" + n + "}");
                        if (status == 201) {
                            (user.equals(SILENT) ? silentAcked : inboxAcked).add(n);
                            answered.incrementAndGet();
                        } else if (status == -1) {
                            return;
                        }
                    }
                }));
                publishers.forEach(Thread::start);
                int killAt = answered.get() + 100 + random.nextInt(400);
                int chatBefore = chatAcked.size();
                int settledBefore = ledger.settledAt(System.nanoTime());
                Awaitility.await().atMost(Duration.ofSeconds(60))
                        .until(() -> answered.get() >= killAt && chatAcked.size() > chatBefore
                                && !w.events(0, "order").isEmpty()
                                // a score of this round's inbox acks have surely reached the store
                                && ledger.settledAt(System.nanoTime()) >= settledBefore + 20);
                // SIGKILL (Process.destroyForcibly on Linux): no shutdown hook, no flush.
                long killedAt = System.nanoTime();
                server.process.toHandle().destroyForcibly();
                server.process.waitFor();
                ledger.killed(killedAt);
                running.set(false);
                for (Thread t : publishers) {
                    t.join(10_000);
                }
                client.destroyForcibly();
                client.waitFor();
                silent.destroyForcibly();
                silent.waitFor();
                chat.destroyForcibly();
                chat.waitFor();
                assertThat(silentReceived).as("the silent user's client got deliveries (and did not ack them)").isNotEmpty();
            } finally {
                server.close();
            }
        }

        LaunchedServer server = launch(conf);
        try {
            String base = listening(server);
            for (String room : ROOMS) {
                List<Integer> history = new ArrayList<>();
                long from = 0;
                while (true) {
                    JsonNode page = get(base, "/api/history?room=" + room + "&from=" + from + "&limit=1000");
                    for (JsonNode m : page.path("messages")) {
                        history.add(m.path("args").get(0).asInt());
                        from = m.path("offset").asLong() + 1;
                    }
                    if (page.path("messages").isEmpty() || from >= page.path("nextOffset").asLong()) {
                        break;
                    }
                }
                assertThat(page(history)).as(room + ": strictly increasing (in order, no duplicate)").isTrue();
                assertThat(history).as(room + ": every acknowledged publish is stored").containsAll(acked.get(room));
                if (room.equals("orders-a")) {
                    checkRecoveredAfterCrashes(watcher, history);
                }
                System.out.println(room + ": " + acked.get(room).size() + " acknowledged, " + history.size() + " stored");
            }

            List<Integer> chatHistory = new ArrayList<>();
            long from = 0;
            while (true) {
                JsonNode page = get(base, "/api/history?namespace=/demo&room=" + CHAT_ROOM + "&from=" + from + "&limit=1000");
                for (JsonNode m : page.path("messages")) {
                    if (m.path("event").asText().equals("message")) {
                        chatHistory.add(Integer.parseInt(m.path("args").get(0).path("text").asText()));
                    }
                    from = m.path("offset").asLong() + 1;
                }
                if (page.path("messages").isEmpty() || from >= page.path("nextOffset").asLong()) {
                    break;
                }
            }
            assertThat(chatAcked).as("the socket.io-client publisher got acknowledgements").isNotEmpty();
            assertThat(page(chatHistory)).as("chat: strictly increasing").isTrue();
            assertThat(chatHistory).as("chat: every acknowledged message is stored").containsAll(chatAcked);
            System.out.println("chat via socket.io-client: " + chatAcked.size() + " acknowledged, " + chatHistory.size() + " stored");

            Set<Integer> owed = new TreeSet<>(inboxAcked);
            owed.removeAll(clientAcked);
            owed.addAll(silentAcked);
            int mark = received.size();
            Process client = inboxClient(base, USER, true, received, 2);
            Process silent = inboxClient(base, SILENT, true, received, 2);
            try {
                Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> {
                    synchronized (received) {
                        return new TreeSet<>(received.subList(mark, received.size())).containsAll(owed);
                    }
                });
                for (String user : List.of(USER, SILENT)) {
                    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() ->
                            get(base, "/api/inbox?user=" + user).path("depth").asLong() == 0);
                }
            } finally {
                client.destroyForcibly();
                silent.destroyForcibly();
            }
            System.out.println("inbox: " + (inboxAcked.size() + silentAcked.size()) + " acknowledged, " + clientAcked.size()
                    + " acked by a client before a kill, " + owed.size() + " owed and redelivered after restart, "
                    + ledger.settledCounts() + " settled at the kills, " + ledger.duplicates() + " duplicate deliveries");
            assertThat(silentAcked).isNotEmpty();
            assertThat(ledger.settledCounts()).as("acks settled before each kill").allMatch(c -> c >= 20);
            assertThat(ledger.forgotten()).as("acknowledged %s before a kill, delivered again after it", SETTLED)
                    .isEmpty();
        } finally {
            server.sigterm();
            server.awaitExit(Duration.ofSeconds(30));
            server.close();
        }
    }

    /** The watcher got part of the room live before the first kill; recovery must give it exactly the rest. */
    private static void checkRecoveredAfterCrashes(DurableClient watcher, List<Integer> history) {
        List<Integer> live = watcher.events(0, "order").stream().map(e -> e.path("args").get(0).asInt()).toList();
        int mark = watcher.mark();
        watcher.command("{\"cmd\":\"connect\"}");
        assertThat(watcher.awaitConnect(mark).path("recovered").asBoolean())
                .as("socket.recovered after two kill -9 and restarts").isTrue();
        Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> live.size() + watcher.events(mark, "order").size() >= history.size());
        List<Integer> all = new ArrayList<>(live);
        watcher.events(mark, "order").forEach(e -> all.add(e.path("args").get(0).asInt()));
        assertThat(all).as("live, then replayed: the room's whole history, no gap, no duplicate").isEqualTo(history);
        System.out.println("recovery after crashes: " + live.size() + " live + " + (all.size() - live.size()) + " replayed");
        watcher.close();
    }

    private static boolean page(List<Integer> values) {
        for (int i = 1; i < values.size(); i++) {
            if (values.get(i) <= values.get(i - 1)) {
                return false;
            }
        }
        return true;
    }
}
