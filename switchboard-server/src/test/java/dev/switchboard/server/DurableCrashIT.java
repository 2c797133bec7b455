package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 * inbox message the client had not acknowledged must be delivered again.
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

    private LaunchedServer launch(Path conf) {
        return LaunchedServer.start(dir, Map.of(), "--config", conf.toString(), "--port", "0",
                "--data", dir.resolve("data").toString());
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

    private Process inboxClient(String base, String user, boolean ack, List<Integer> received) {
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
                            if (l.path("acked").asBoolean()) {
                                clientAcked.add(n);
                            }
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
                  inbox { ack-timeout = 2s, max-attempts = 1000 }
                }
                """.formatted(policy));
        ROOMS.forEach(r -> acked.put(r, ConcurrentHashMap.newKeySet()));
        AtomicInteger next = new AtomicInteger();
        AtomicInteger nextInbox = new AtomicInteger();
        List<Integer> received = Collections.synchronizedList(new ArrayList<>());

        for (int round = 0; round < 2; round++) {
            LaunchedServer server = launch(conf);
            try {
                String base = server.awaitListening(Duration.ofSeconds(60));
                server.awaitReady(base, http);
                Process client = inboxClient(base, USER, true, received);
                // Publishes through Socket.IO: the demo chat acknowledges a message once it is stored.
                Process chat = demoPublisher(base, round * 1_000_000 + 1);
                List<Integer> silentReceived = Collections.synchronizedList(new ArrayList<>());
                Process silent = inboxClient(base, SILENT, false, silentReceived);
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
                Awaitility.await().atMost(Duration.ofSeconds(60))
                        .until(() -> answered.get() >= killAt && chatAcked.size() > chatBefore);
                // SIGKILL (Process.destroyForcibly on Linux): no shutdown hook, no flush.
                server.process.toHandle().destroyForcibly();
                server.process.waitFor();
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
            String base = server.awaitListening(Duration.ofSeconds(60));
            server.awaitReady(base, http);
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
            Process client = inboxClient(base, USER, true, received);
            Process silent = inboxClient(base, SILENT, true, received);
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
                    + " acked by a client before a kill, " + owed.size() + " owed and redelivered after restart");
            assertThat(silentAcked).isNotEmpty();
        } finally {
            server.sigterm();
            server.awaitExit(Duration.ofSeconds(30));
            server.close();
        }
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
