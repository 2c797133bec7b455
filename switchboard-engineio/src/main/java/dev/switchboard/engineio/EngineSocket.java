package dev.switchboard.engineio;

import dev.switchboard.core.routing.EncodedMessage;
import dev.switchboard.core.routing.Subscriber;
import dev.switchboard.core.routing.WireFormat;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;

/**
 * One Engine.IO session (the official server's {@code Socket}), over polling or WebSocket.
 *
 * <p>Threading: every session has one owning event loop, {@link #eventLoop()}, fixed for its whole
 * life (it survives the upgrade from polling to WebSocket). All its state changes there and every
 * {@link Listener} callback runs there. {@link #send}, {@link #close()} and the getters are safe from
 * any thread (off the loop, {@code send} and {@code close} hop onto it); {@link #write} and
 * {@link #flush()} must be called on the loop.
 *
 * <p>Bounds: packets waiting to be written (a polling session between GETs, a WebSocket whose peer
 * reads slowly) count against {@link EngineIoConfig#maxPendingBytes()}; past it the session is closed
 * with {@link CloseReason#TRANSPORT_ERROR} ("slow client"), logged and counted.
 */
public interface EngineSocket {

    /** The session id ({@code sid}), 20 url-safe base64 characters. */
    String id();

    /** The transport now in use; becomes {@link TransportKind#WEBSOCKET} on upgrade. */
    TransportKind transport();

    /** The request that opened the session. */
    Handshake handshake();

    /** The event loop that owns this session; never changes. */
    EventLoop eventLoop();

    /** True until the session starts closing. */
    boolean isOpen();

    /**
     * Whether the transport can take a packet now, as engine.io's {@code transport.writable} (which
     * socket.io checks before a volatile emit): for WebSocket, the channel's writability (below its
     * high write watermark), counting frames still on their way to the channel when it lives on
     * another event loop than the session; for polling, whether a GET is waiting for data.
     */
    boolean isWritable();

    /** Sends a message packet ({@code 4} + text). Dropped silently once the session is closing. */
    void send(String text);

    /**
     * Sends a message packet on its own: over WebSocket its frame goes to the socket at once, past the
     * transport's flush consolidation, so packets sent after it leave in later writes (as the Node
     * server's separate socket writes do); over polling as {@link #send(String)}. Called on the loop it
     * is handed to the socket before it returns. For a packet that some clients read as a unit before
     * anything else (Socket.IO's CONNECT reply); costs a syscall of its own.
     */
    default void sendAlone(String text) {
        send(text);
    }

    /**
     * Sends a binary message packet (a binary WebSocket frame, or {@code b} + base64 over polling).
     * Takes ownership of {@code data}: it is released once written or if the session is closing.
     */
    void send(ByteBuf data);

    /**
     * Closes the session from the server side: over polling the next (or pending) GET answers the
     * close packet {@code 1}; over WebSocket the connection is closed, as engine.io does. The listener
     * gets {@link CloseReason#FORCED_CLOSE}. Idempotent.
     */
    void close();

    /** Replaces the listener; set it in {@link EngineIoServer.ConnectionListener#onConnection}. */
    void listener(Listener listener);

    /** The encoding {@link #write} expects now: {@link EngineWireFormats#WEBSOCKET} or {@link EngineWireFormats#POLLING}. */
    WireFormat socketWireFormat();

    /**
     * Encode-once fan-out: queues every frame of an already-encoded message without copying (each
     * frame written as a retained duplicate), without flushing. Event loop only.
     *
     * @param message    borrowed for the duration of the call; its format must be {@link #socketWireFormat()}
     *                   (otherwise {@code REJECTED}: the caller re-encodes, which happens only around an upgrade)
     * @param isVolatile drop rather than queue when not {@link #isWritable()}
     * @return {@code WRITTEN}, {@code DROPPED_VOLATILE}, or {@code REJECTED} (closing, wrong format, or
     *         just closed as a slow client)
     */
    Subscriber.Delivery write(EncodedMessage message, boolean isVolatile);

    /** Flushes what {@link #write} queued (over polling: answers a pending GET). Event loop only. */
    void flush();

    /**
     * Callbacks of one session, all on {@link EngineSocket#eventLoop()}. Default methods ignore the
     * event (and release binary data).
     */
    interface Listener {

        /** A text message packet arrived (without its {@code 4} type). */
        default void onMessage(String text) {}

        /**
         * A binary message arrived. The listener owns {@code data} and must release it (the default
         * does).
         */
        default void onBinary(ByteBuf data) {
            data.release();
        }

        /** The session closed; called exactly once. Nothing more can be sent. */
        default void onClose(CloseReason reason, String detail) {}

        /** The session now uses {@code transport} (after a successful upgrade). */
        default void onUpgrade(TransportKind transport) {}
    }
}
