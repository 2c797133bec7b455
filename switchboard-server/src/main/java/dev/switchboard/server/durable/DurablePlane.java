package dev.switchboard.server.durable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.core.durable.DurableRooms;
import dev.switchboard.core.inbox.Inboxes;
import dev.switchboard.core.spi.QueueStore;
import dev.switchboard.core.spi.QueueStore.QueuedMessage;
import dev.switchboard.core.spi.StreamStore;
import dev.switchboard.core.spi.StreamStore.ReadResult;
import dev.switchboard.core.spi.StreamStore.StoredMessage;
import dev.switchboard.socketio.Namespace;
import dev.switchboard.socketio.Socket;
import dev.switchboard.socketio.SocketIoServer;
import dev.switchboard.socketio.recovery.DurableRecovery;
import dev.switchboard.socketio.recovery.RecoveryBackend;
import dev.switchboard.server.storage.StoragePlane;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The storage plane wired into Socket.IO: durable rooms (connection state recovery over the stream
 * and session stores), the history of a durable room, and reliable inboxes (per-user queues delivered to
 * the user's sockets with Socket.IO acks). The Java API behind {@code /api/history} and {@code /api/inbox}.
 * It sees the stores through their SPIs only ({@link StoragePlane}), whichever {@code switchboard.store}
 * provides them.
 *
 * <p>Lifecycle: opened before the Socket.IO server is created ({@link #recoveryBackend()} goes into its
 * configuration), {@link #install installed} on it before the listener accepts connections, closed after
 * it (so that the sessions of the sockets it disconnects are saved) and before the store.
 *
 * <p>Threading: every method is thread-safe and non-blocking; stages complete on the store's threads.
 */
public final class DurablePlane implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DurablePlane.class);
    /** Key of {@code socket.data} holding the inbox user id set by the middleware. */
    public static final String USER_ID = "userId";
    /** Most messages one history request returns. */
    public static final int MAX_HISTORY = 1000;
    /** Queue name prefix of inboxes (queues of other uses stay apart). */
    static final String INBOX_PREFIX = "inbox/";

    private final DurableSettings settings;
    private final StreamStore streams;
    private final QueueStore queues;
    private final DurableRecovery.Opened recovery;
    private final Inboxes inboxes;
    private final ObjectMapper mapper = new ObjectMapper();

    private DurablePlane(DurableSettings settings, StoragePlane storage, DurableRecovery.Opened recovery) {
        this.settings = settings;
        this.streams = storage.streams();
        this.queues = storage.queues();
        this.recovery = recovery;
        this.inboxes = settings.inbox().enabled() ? Inboxes.create(queues, settings.inbox().inboxConfig()) : null;
    }

    /** @param storage the stores (its components are started by the node's supervisor) */
    public static DurablePlane open(DurableSettings settings, StoragePlane storage) {
        awaitStore(storage, STORE_WAIT);
        DurableRecovery.Opened recovery = null;
        if (settings.hasDurableRooms()) {
            DurableRooms rooms = settings.rooms();
            recovery = DurableRecovery.newBuilder(storage.streams(), storage.sessions())
                    .durable(rooms::isDurable)
                    .streamName(DurableRooms::streamName)
                    .sessionTtl(settings.sessionTtl())
                    .maxReplay(settings.maxReplay())
                    .build()
                    .open();
        }
        return new DurablePlane(settings, storage, recovery);
    }

    /** How long opening waits for the store to be open (its supervisor opens it on its own thread). */
    private static final Duration STORE_WAIT = Duration.ofSeconds(10);

    /**
     * Waits, bounded, until the store is open: a client that reconnects (or an inbox that leases) in the
     * first moments after a restart would otherwise find no store and not be recovered. Past the bound the
     * server starts anyway (health says the store is down; recovery and inboxes answer 503 until it is up).
     */
    private static void awaitStore(StoragePlane storage, Duration bound) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (!storage.isOpen() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (!storage.isOpen()) {
            log.warn("the store is not open after {}: durable rooms and inboxes wait for it", bound);
        }
    }

    public DurableSettings settings() {
        return settings;
    }

    /** The recovery backend for the Socket.IO configuration; empty when no room is durable. */
    public Optional<RecoveryBackend.Factory> recoveryBackend() {
        return Optional.ofNullable(recovery);
    }

    /**
     * Adds the inbox middleware and connection handler to the inbox namespace: a socket whose handshake
     * carries a user id ({@code switchboard.inbox.user-id-from}) gets {@code socket.data.userId} and
     * receives that user's inbox, each message as an event with an ack callback.
     */
    public void install(SocketIoServer io) {
        install(io, false);
    }

    /**
     * @param userFromToken true when the server's authenticator has already set {@code socket.data.userId}
     *                      from a verified token: the handshake is then not read at all, so a client cannot
     *                      name another user's inbox
     */
    public void install(SocketIoServer io, boolean userFromToken) {
        if (inboxes == null) {
            return;
        }
        DurableSettings.Inbox cfg = settings.inbox();
        Namespace ns = io.of(cfg.namespace());
        ns.use((socket, next) -> {
            if (!userFromToken) {
                String user = cfg.userId(socket.handshake());
                if (user != null) {
                    socket.data().put(USER_ID, user);
                }
            }
            next.proceed();
        });
        ns.on("connection", this::onConnection);
    }

    private void onConnection(Socket socket) {
        Object user = socket.data().get(USER_ID);
        if (!(user instanceof String u)) {
            return;
        }
        Duration ackTimeout = settings.inbox().ackTimeout();
        Inboxes.Registration reg = inboxes.connect(INBOX_PREFIX + u, message -> {
            InboxMessage m = decodeInbox(message);
            return socket.emitWithAck(ackTimeout, m.event(), m.args().toArray()).thenApply(answer -> (Void) null);
        });
        socket.onDisconnect(reason -> reg.close());
    }

    // ---- history ----

    /** A durable room's stored messages. */
    public record History(String namespace, String room, long firstOffset, long nextOffset, boolean truncated,
                          List<HistoryEntry> messages) {}

    /**
     * One stored message.
     *
     * @param offset         the message's position in the room's stream (increasing, not necessarily dense)
     * @param recoveryOffset the Socket.IO recovery offset it was delivered with
     */
    public record HistoryEntry(long offset, long timeMillis, String recoveryOffset, String event, JsonNode args) {}

    /** Whether the room is durable (has a history). */
    public boolean isDurable(String namespace, String room) {
        return settings.rooms().isDurable(namespace, room);
    }

    /** Up to {@code limit} messages from {@code fromOffset}, in order. */
    public CompletionStage<History> historyFrom(String namespace, String room, long fromOffset, int limit) {
        return read(namespace, room, streams.read(DurableRooms.streamName(namespace, room), fromOffset, clamp(limit)));
    }

    /** Up to {@code limit} messages stored at or after {@code epochMillis}, in order. */
    public CompletionStage<History> historySince(String namespace, String room, long epochMillis, int limit) {
        return read(namespace, room, streams.readFromTime(DurableRooms.streamName(namespace, room), epochMillis, clamp(limit)));
    }

    private static int clamp(int limit) {
        return Math.max(1, Math.min(MAX_HISTORY, limit));
    }

    private CompletionStage<History> read(String namespace, String room, CompletionStage<ReadResult> reading) {
        return reading.thenApply(r -> {
            List<HistoryEntry> out = new ArrayList<>(r.messages().size());
            for (StoredMessage m : r.messages()) {
                DurableRecovery.StoredEvent e = DurableRecovery.decode(m.payload());
                ArrayNode args = e.data().deepCopy();
                String event = args.size() > 0 ? args.remove(0).asText() : "";
                out.add(new HistoryEntry(m.position(), m.timestampMillis(), e.recoveryOffset(), event, args));
            }
            return new History(namespace, room, r.firstPosition(), r.endPosition(), r.truncated(), out);
        });
    }

    // ---- inboxes ----

    /** An inbox message; {@code attempt} counts deliveries (0 when only stored). */
    public record InboxMessage(long id, long enqueuedAtMillis, int attempt, String event, List<Object> args) {}

    /** Whether inboxes are on. */
    public boolean inboxesEnabled() {
        return inboxes != null;
    }

    /**
     * Stores a message for {@code user}; the stage completes with its id once it is stored under the
     * durability policy, then it is delivered to the user's connected sockets.
     */
    public CompletionStage<Long> sendToInbox(String user, String event, List<Object> args) {
        if (inboxes == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("inboxes are off (switchboard.inbox.enabled)"));
        }
        ObjectNode body = mapper.createObjectNode();
        body.put("event", event);
        body.set("args", mapper.valueToTree(args));
        byte[] bytes;
        try {
            bytes = mapper.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return inboxes.publish(INBOX_PREFIX + user, bytes);
    }

    /** Messages of {@code user} that went past the delivery limit, oldest first. */
    public CompletionStage<List<InboxMessage>> deadLetters(String user, int max) {
        return queues.deadLetters(INBOX_PREFIX + user, clamp(max))
                .thenApply(list -> list.stream().map(this::decodeInbox).toList());
    }

    /** Stored, not yet acked messages of {@code user} (in flight included). */
    public CompletionStage<Long> inboxDepth(String user) {
        return queues.depth(INBOX_PREFIX + user);
    }

    private InboxMessage decodeInbox(QueuedMessage m) {
        try {
            JsonNode n = mapper.readTree(m.payload());
            @SuppressWarnings("unchecked")
            List<Object> args = mapper.convertValue(n.path("args"), List.class);
            return new InboxMessage(m.id(), m.enqueuedAtMillis(), m.attempt(), n.path("event").asText(),
                    args == null ? List.of() : args);
        } catch (IOException e) {
            throw new UncheckedIOException("inbox message " + m.id() + " is not JSON", e);
        }
    }

    /** Stops inbox delivery and saves pending sessions; the store stays open (its supervisor closes it). */
    @Override
    public void close() {
        if (inboxes != null) {
            inboxes.close();
        }
        if (recovery != null) {
            recovery.close();
        }
        log.debug("durable plane closed");
    }
}
