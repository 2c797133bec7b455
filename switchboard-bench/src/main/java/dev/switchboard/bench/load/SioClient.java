package dev.switchboard.bench.load;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One Socket.IO v5 connection to namespace {@code /} over an Engine.IO v4 WebSocket, as seen by the
 * load generator. Methods may be called from any thread; Netty serialises the writes on the
 * channel's event loop, and {@link EventListener}s run on that event loop (keep them short).
 *
 * <p>Not a general client: no reconnection, no polling after the handshake, no binary attachments
 * (received binary packets are counted in {@link #unsupportedPackets()} and otherwise ignored).
 */
public final class SioClient {

    /** Receives every EVENT packet for namespace {@code /}; runs on the connection's event loop. */
    @FunctionalInterface
    public interface EventListener {
        /**
         * @param client the connection it arrived on
         * @param event  the event name
         * @param data   the raw JSON array {@code ["event", args...]}
         */
        void onEvent(SioClient client, String event, String data);
    }

    private static final EventListener NONE = (c, e, d) -> { };

    private final Channel channel;
    private final CompletableFuture<SioClient> ready = new CompletableFuture<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final Map<Long, CompletableFuture<String>> pendingAcks = new ConcurrentHashMap<>();
    private final AtomicLong nextAckId = new AtomicLong();
    private final AtomicLong unsupported = new AtomicLong();
    private volatile EventListener listener = NONE;
    private volatile String sid;
    private volatile String engineSid;

    SioClient(Channel channel, EventListener listener) {
        this.channel = channel;
        this.listener = listener == null ? NONE : listener;
        channel.closeFuture().addListener(f -> onClosed());
    }

    /** The Socket.IO session id from the CONNECT reply, or null before it. */
    public String sid() {
        return sid;
    }

    /** The Engine.IO session id from the open packet, or null before it. */
    public String engineSid() {
        return engineSid;
    }

    /** Replaces the event listener. */
    public void listener(EventListener l) {
        listener = l == null ? NONE : l;
    }

    /** Emits {@code 42<jsonArray>}, e.g. {@code ["message",1,"two"]}. Fire and forget. */
    public void emit(String jsonArray) {
        channel.writeAndFlush(new TextWebSocketFrame("42" + jsonArray), channel.voidPromise());
    }

    /**
     * Emits {@code 42<id><jsonArray>} and completes with the raw JSON array of the ACK
     * ({@code 43<id>[...]}); fails when the connection closes first.
     */
    public CompletableFuture<String> emitWithAck(String jsonArray) {
        long id = nextAckId.getAndIncrement();
        CompletableFuture<String> f = new CompletableFuture<>();
        pendingAcks.put(id, f);
        if (!channel.isActive()) {
            failPending();
            return f;
        }
        channel.writeAndFlush(new TextWebSocketFrame("42" + id + jsonArray), channel.voidPromise());
        return f;
    }

    /** True while the connection's outbound buffer is below Netty's high water mark. */
    public boolean isWritable() {
        return channel.isWritable();
    }

    public boolean isActive() {
        return channel.isActive();
    }

    /** Binary packets received, which this client does not decode. */
    public long unsupportedPackets() {
        return unsupported.get();
    }

    /** Closes the WebSocket; completes when the TCP connection is closed. */
    public CompletableFuture<Void> close() {
        channel.close();
        return closed;
    }

    public CompletableFuture<Void> closeFuture() {
        return closed;
    }

    Channel channel() {
        return channel;
    }

    CompletableFuture<SioClient> ready() {
        return ready;
    }

    // ---- called by SioClientHandler on the event loop ----

    void onOpen(String engineSid) {
        this.engineSid = engineSid;
    }

    void onConnect(String sid) {
        this.sid = sid;
        ready.complete(this);
    }

    void onPacket(SioPacket p) {
        if (!"/".equals(p.nsp())) {
            return;
        }
        switch (p.type()) {
            case SioPacket.EVENT -> listener.onEvent(this, p.eventName(), p.data());
            case SioPacket.ACK -> {
                CompletableFuture<String> f = pendingAcks.remove(p.ackId());
                if (f != null) {
                    f.complete(p.data());
                }
            }
            case SioPacket.BINARY_EVENT, SioPacket.BINARY_ACK -> unsupported.incrementAndGet();
            case SioPacket.DISCONNECT -> channel.close();
            default -> { }
        }
    }

    void fail(Throwable cause) {
        ready.completeExceptionally(cause);
        channel.close();
    }

    private void onClosed() {
        ready.completeExceptionally(new ConnectFailure.HandshakeException("connection closed before CONNECT reply"));
        failPending();
        closed.complete(null);
    }

    private void failPending() {
        for (Long id : pendingAcks.keySet()) {
            CompletableFuture<String> f = pendingAcks.remove(id);
            if (f != null) {
                f.completeExceptionally(new IllegalStateException("connection closed before ack " + id));
            }
        }
    }
}
