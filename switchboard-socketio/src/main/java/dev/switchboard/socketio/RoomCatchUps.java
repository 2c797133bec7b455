package dev.switchboard.socketio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.switchboard.core.routing.EncodedMessage;
import dev.switchboard.core.routing.Subscriber.Delivery;
import dev.switchboard.socketio.protocol.Packet;
import dev.switchboard.socketio.protocol.PacketType;
import dev.switchboard.socketio.recovery.RecoveryBackend;
import dev.switchboard.socketio.recovery.RecoveryBackend.RoomReplay;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The joins of one socket from a recovery position ({@link Socket#joinFrom}) in progress.
 *
 * <h2>No gap, no duplicate</h2>
 * On the socket's loop the socket starts holding its live deliveries here, then subscribes to the room:
 * an event of the room delivered from then on is held; one delivered before is in the store already (a
 * durable room's events are stored before they are delivered). The backend then reads the room's events
 * after the offset. Back on the loop those are written, then the held ones except those just written:
 * missed events first, then live ones, each once. A read may also return events stored but not yet
 * delivered; their live copies come after the holding ended, so live deliveries stay filtered until one
 * newer than every replayed event arrives (a namespace's durable events are delivered in offset order).
 * A live copy is recognised by its whole data, offset included (the last argument): an event of another
 * room carries the offset of the last durable event before it, never the same data too. Several joins
 * may overlap; holding ends when the last one is written.
 *
 * <h2>Bound</h2>
 * At most {@link #MAX_HELD} held deliveries (volatile ones are dropped while holding, as for a client that
 * cannot take them now); past it the connection is closed as a slow client would be, and the client
 * subscribes again from its last offset.
 *
 * <p>Threading: the socket's event loop only. Held messages are retained until written or discarded.
 */
final class RoomCatchUps {

    private static final Logger log = LoggerFactory.getLogger(RoomCatchUps.class);
    /** Held live deliveries at most; a few seconds of a busy socket's traffic while a store read runs. */
    static final int MAX_HELD = 10_000;

    private final SocketImpl socket;
    private final Client client;
    private final SocketIoRuntime runtime;
    private final ArrayDeque<EncodedMessage> held = new ArrayDeque<>();
    /** The replayed events ({@code [event, ...args, offset]}) whose live copy may still come. */
    private final Set<JsonNode> replayed = new HashSet<>();
    /** The highest offset replayed; a live event above it ends the filtering. */
    private long maxReplayed = Long.MIN_VALUE;
    private int running;

    RoomCatchUps(SocketImpl socket, Client client, SocketIoRuntime runtime) {
        this.socket = socket;
        this.client = client;
        this.runtime = runtime;
    }

    /** Whether live deliveries go through {@link #deliver} now. */
    boolean active() {
        return running > 0 || !replayed.isEmpty();
    }

    /** A live delivery while {@link #active()}: held during a join, else written unless a replayed copy. */
    Delivery deliver(EncodedMessage message, boolean isVolatile) {
        if (running > 0) {
            return hold(message, isVolatile);
        }
        return duplicate(message) ? Delivery.WRITTEN : socket.write(message, isVolatile);
    }

    /** Starts a join: holds live deliveries, subscribes, reads the missed events, then writes. */
    void start(RecoveryBackend backend, String room, String offset, CompletableFuture<Socket.CatchUp> result) {
        running++;
        socket.join(room);
        backend.replayRoom(room, offset, socket.rooms()).whenComplete((replay, e) -> socket.onLoop(() -> {
            RoomReplay r = e != null || replay == null ? RoomReplay.unsupported() : replay;
            finish(r, result);
        }));
    }

    private void finish(RoomReplay replay, CompletableFuture<Socket.CatchUp> result) {
        if (running == 0) { // discarded: the socket closed meanwhile
            result.completeExceptionally(new SocketIoException("socket has been disconnected"));
            return;
        }
        for (ArrayNode event : replay.events()) {
            replayed.add(event);
            maxReplayed = Math.max(maxReplayed, offsetOf(event));
            client.send(Packet.of(PacketType.EVENT, socket.namespace(), event), false);
        }
        // A task after the replayed events' write tasks: live deliveries stay held until it runs.
        Client.execute(socket.executor(), () -> {
            if (running == 0) {
                result.completeExceptionally(new SocketIoException("socket has been disconnected"));
                return;
            }
            running--;
            if (running == 0) {
                release();
            }
            result.complete(new Socket.CatchUp(replay.supported(), replay.events().size(), replay.truncation()));
        });
    }

    private Delivery hold(EncodedMessage message, boolean isVolatile) {
        if (isVolatile) {
            return Delivery.DROPPED_VOLATILE;
        }
        if (held.size() >= MAX_HELD) {
            log.info("socket {} of {}: more than {} live events arrived while it caught up a room; closing its connection",
                    socket.id(), socket.namespace(), MAX_HELD);
            discard();
            client.close(DisconnectReason.FORCED_SERVER_CLOSE);
            return Delivery.REJECTED;
        }
        message.retain();
        held.add(message);
        return Delivery.WRITTEN;
    }

    /** Writes the held deliveries that were not replayed, in order, then flushes. */
    private void release() {
        EncodedMessage m;
        while ((m = held.poll()) != null) {
            try {
                if (!duplicate(m)) {
                    socket.write(m, false);
                }
            } finally {
                m.release();
            }
        }
        socket.flush();
    }

    /** Whether a live delivery is the copy of a replayed event (then forgotten); ends the filtering past them all. */
    private boolean duplicate(EncodedMessage m) {
        if (replayed.isEmpty()) {
            return false;
        }
        JsonNode data = OutgoingFrames.eventData(m, runtime);
        if (data == null) {
            return false;
        }
        if (replayed.remove(data)) {
            return true;
        }
        if (offsetOf(data) > maxReplayed) {
            replayed.clear();
        }
        return false;
    }

    /** The offset of an event: its last argument, a number as text; MIN_VALUE if none. */
    private static long offsetOf(JsonNode data) {
        JsonNode last = data.size() == 0 ? null : data.get(data.size() - 1);
        if (last == null || !last.isTextual()) {
            return Long.MIN_VALUE;
        }
        try {
            return Long.parseLong(last.asText());
        } catch (NumberFormatException e) {
            return Long.MIN_VALUE;
        }
    }

    /** The socket closed: what is held goes nowhere. */
    void discard() {
        running = 0;
        replayed.clear();
        maxReplayed = Long.MIN_VALUE;
        EncodedMessage m;
        while ((m = held.poll()) != null) {
            m.release();
        }
    }
}
