package dev.switchboard.socketio;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.switchboard.engineio.CloseReason;
import dev.switchboard.engineio.EngineSocket;
import dev.switchboard.socketio.protocol.Packet;
import dev.switchboard.socketio.protocol.PacketDecoder;
import dev.switchboard.socketio.protocol.PacketEncoder;
import dev.switchboard.socketio.protocol.PacketParseException;
import dev.switchboard.socketio.protocol.PacketType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Engine.IO connection seen by Socket.IO (socket.io's {@code Client}): decodes its packets, holds
 * one socket per joined namespace, enforces connectTimeout, and is the one path by which protocol
 * violations close the connection.
 *
 * <p>Threading: everything runs on the session's event loop ({@link EngineSocket#eventLoop()}), where
 * Engine.IO calls the listener; {@link #send} may be called from any thread.
 *
 * <p>Write ordering: every packet is written by a task submitted to the loop, never inline, because
 * the Router also submits its deliveries as tasks: a direct emit and a broadcast issued one after the
 * other from the same thread reach the client in that order.
 */
final class Client implements EngineSocket.Listener {

    private static final Logger log = LoggerFactory.getLogger(Client.class);

    private final DefaultSocketIoServer server;
    private final SocketIoRuntime runtime;
    private final EngineSocket conn;
    private final PacketDecoder decoder;
    private final PacketRateLimit rateLimit;
    // Sized for the usual one or two namespaces: a table of 2 rather than 16 per connection.
    private final Map<String, SocketImpl> nsps = new HashMap<>(2);
    private final Set<String> connecting = new HashSet<>(2);
    private ScheduledFuture<?> connectTimer;
    private boolean closed;

    Client(DefaultSocketIoServer server, EngineSocket conn) {
        this.server = server;
        this.runtime = server.runtime();
        this.conn = conn;
        this.decoder = runtime.newDecoder();
        this.rateLimit = runtime.config().packetRateLimit();
        conn.listener(this);
        this.connectTimer = conn.eventLoop().schedule(this::onConnectTimeout,
                runtime.config().connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    EngineSocket engineSocket() {
        return conn;
    }

    boolean isOpen() {
        return !closed && conn.isOpen();
    }

    // ---- Engine.IO listener (event loop) ----

    @Override
    public void onMessage(String text) {
        if (log.isTraceEnabled()) {
            log.trace("{} {} -> {}", conn.id(), conn.transport(), text);
        }
        if (closed) {
            return;
        }
        countBytes(text.length());
        Packet p;
        try {
            p = decoder.decodeText(text);
        } catch (PacketParseException e) {
            onParseError(e);
            return;
        }
        if (p != null) {
            onDecoded(p);
        }
    }

    // ---- rate limit (event loop) ----

    /** Start of the current one-second window, System.nanoTime. */
    private long windowStart = System.nanoTime();
    private int windowPackets;
    private long windowBytes;

    private void countBytes(int bytes) {
        if (rateLimit.enabled()) {
            rollWindow();
            windowBytes += bytes;
        }
    }

    private void rollWindow() {
        long now = System.nanoTime();
        if (now - windowStart >= 1_000_000_000L) {
            windowStart = now;
            windowPackets = 0;
            windowBytes = 0;
        }
    }

    /**
     * Whether this event may go on; if not, it was answered (error ack) or the connection closed. Loop.
     */
    private boolean admitEvent(Packet p) {
        if (!rateLimit.enabled() || (p.type() != PacketType.EVENT && p.type() != PacketType.BINARY_EVENT)) {
            return true;
        }
        rollWindow();
        windowPackets++;
        int maxPackets = rateLimit.packetsPerSecond();
        long maxBytes = rateLimit.bytesPerSecond();
        boolean over = (maxPackets > 0 && windowPackets > maxPackets) || (maxBytes > 0 && windowBytes > maxBytes);
        if (!over) {
            return true;
        }
        boolean farOver = (maxPackets > 0 && windowPackets > 2L * maxPackets) || (maxBytes > 0 && windowBytes > 2 * maxBytes);
        if (farOver) {
            log.info("socket.io connection {} closed: over twice its rate limit ({} events, {} bytes in a second)",
                    conn.id(), windowPackets, windowBytes);
            runtime.metrics().packetDropped("rate limit close");
            close(DisconnectReason.FORCED_SERVER_CLOSE);
            return false;
        }
        runtime.metrics().packetDropped("rate limit");
        if (p.hasId()) {
            send(new Packet(PacketType.ACK, p.nsp(), p.id(), RATE_LIMITED), false);
        }
        return false;
    }

    /** The error ack of an event dropped by the rate limit: {@code [{"error": {"message": "rate limit exceeded"}}]}. */
    private static final com.fasterxml.jackson.databind.node.ArrayNode RATE_LIMITED;

    static {
        RATE_LIMITED = JsonNodeFactory.instance.arrayNode();
        RATE_LIMITED.addObject().putObject("error").put("message", "rate limit exceeded");
    }

    @Override
    public void onBinary(ByteBuf data) {
        byte[] bytes;
        try {
            bytes = ByteBufUtil.getBytes(data);
        } finally {
            data.release();
        }
        if (closed) {
            return;
        }
        countBytes(bytes.length);
        Packet p;
        try {
            p = decoder.decodeBinary(bytes);
        } catch (PacketParseException e) {
            onParseError(e);
            return;
        }
        if (p != null) {
            onDecoded(p);
        }
    }

    @Override
    public void onClose(CloseReason reason, String detail) {
        closeSockets(DisconnectReason.of(reason));
    }

    /** socket.io Client.ondecoded. */
    private void onDecoded(Packet p) {
        runtime.metrics().packetIn(p.nsp());
        SocketImpl socket = nsps.get(p.nsp());
        if (socket == null && p.type() == PacketType.CONNECT && !connecting.contains(p.nsp())) {
            connect(p);
        } else if (socket != null && p.type() != PacketType.CONNECT && p.type() != PacketType.CONNECT_ERROR) {
            if (admitEvent(p)) {
                socket.onPacket(p);
            }
        } else {
            log.info("socket.io connection {} closed: invalid state ({} for namespace {})", conn.id(), p.type(), p.nsp());
            runtime.metrics().handshakeFailed("invalid state");
            close(DisconnectReason.FORCED_SERVER_CLOSE);
        }
    }

    private void connect(Packet p) {
        NamespaceImpl nsp = server.namespaceFor(p.nsp());
        if (nsp == null) {
            runtime.metrics().handshakeFailed("invalid namespace");
            send(Packet.of(PacketType.CONNECT_ERROR, p.nsp(),
                    JsonNodeFactory.instance.objectNode().put("message", "Invalid namespace")), false);
            return;
        }
        connecting.add(p.nsp());
        nsp.add(this, p.data());
    }

    /** The namespace's socket is connected (called by the namespace, on this loop). */
    void connected(String nsp, SocketImpl socket) {
        connecting.remove(nsp);
        nsps.put(nsp, socket);
        if (connectTimer != null) {
            connectTimer.cancel(false);
            connectTimer = null;
        }
    }

    /** The namespace refused the socket (middleware) or the connection closed meanwhile. */
    void connectFailed(String nsp) {
        connecting.remove(nsp);
    }

    /** A socket left its namespace while the connection stays (DISCONNECT either way). */
    void removed(SocketImpl socket) {
        nsps.remove(socket.namespace(), socket);
    }

    private void onConnectTimeout() {
        connectTimer = null;
        if (nsps.isEmpty() && !closed) {
            log.info("socket.io connection {} closed: no namespace joined within connectTimeout", conn.id());
            runtime.metrics().handshakeFailed("connect timeout");
            close(DisconnectReason.FORCED_SERVER_CLOSE);
        }
    }

    private void onParseError(PacketParseException e) {
        log.info("socket.io connection {} closed: parse error: {}", conn.id(), e.getMessage());
        runtime.metrics().handshakeFailed("parse error");
        close(DisconnectReason.PARSE_ERROR);
    }

    /** socket.io Client._disconnect: every socket gets DISCONNECT, then the connection closes. */
    void disconnectAll() {
        for (SocketImpl s : new ArrayList<>(nsps.values())) {
            send(Packet.of(PacketType.DISCONNECT, s.namespace(), null), false);
            s.onClose(DisconnectReason.SERVER_NAMESPACE_DISCONNECT);
        }
        nsps.clear();
        close(DisconnectReason.FORCED_SERVER_CLOSE);
    }

    /** Closes the whole connection: sockets leave with {@code reason}, queued writes go out, then the session closes. */
    void close(DisconnectReason reason) {
        if (closed) {
            return;
        }
        closeSockets(reason);
        execute(conn.eventLoop(), conn::close);
    }

    private void closeSockets(DisconnectReason reason) {
        if (connectTimer != null) {
            connectTimer.cancel(false);
            connectTimer = null;
        }
        decoder.reset();
        if (closed) {
            return;
        }
        closed = true;
        List<SocketImpl> sockets = new ArrayList<>(nsps.values());
        nsps.clear();
        for (SocketImpl s : sockets) {
            s.onClose(reason);
        }
    }

    // ---- writing (any thread) ----

    /**
     * Encodes now and writes on the loop, in a task (see the class comment). A volatile packet is dropped
     * when the session is not writable.
     */
    void send(Packet packet, boolean isVolatile) {
        PacketEncoder.Encoded encoded = runtime.encoder().encode(packet);
        execute(conn.eventLoop(), () -> {
            if (!conn.isOpen() || isVolatile && !conn.isWritable()) {
                if (log.isTraceEnabled()) {
                    log.trace("{} {} dropped: {}", conn.id(), conn.transport(), encoded.text());
                }
                return;
            }
            if (log.isTraceEnabled()) {
                log.trace("{} {} <- {}", conn.id(), conn.transport(), encoded.text());
            }
            runtime.metrics().packetOut(packet.nsp());
            conn.send(encoded.text());
            for (byte[] att : encoded.attachments()) {
                conn.send(Unpooled.wrappedBuffer(att));
            }
        });
    }

    /**
     * Writes a CONNECT reply now, in a write of its own ({@link EngineSocket#sendAlone}), so it reaches the
     * client before anything the namespace's connection listeners emit and never shares a write with it:
     * the Node server writes it the same way. On the loop (the namespace connects sockets there); off it,
     * as {@link #send}. Nothing for this namespace can be queued ahead of it: the socket only now connected.
     */
    void sendConnectReply(Packet packet) {
        if (!conn.eventLoop().inEventLoop()) {
            send(packet, false);
            return;
        }
        if (!conn.isOpen()) {
            return;
        }
        String text = runtime.encoder().encode(packet).text();
        if (log.isTraceEnabled()) {
            log.trace("{} {} <- {}", conn.id(), conn.transport(), text);
        }
        runtime.metrics().packetOut(packet.nsp());
        conn.sendAlone(text);
    }

    /** Submits to {@code loop}; a loop that is shutting down refuses it, and then its connection is closing anyway. */
    static void execute(java.util.concurrent.Executor loop, Runnable task) {
        try {
            loop.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            log.debug("task dropped: event loop shutting down");
        }
    }
}
