package dev.switchboard.engineio;

import dev.switchboard.core.routing.EncodedMessage;
import dev.switchboard.core.routing.Subscriber;
import dev.switchboard.core.routing.WireFormat;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;

/**
 * WebSocket (engine.io's {@code WebSocket}): packets are written as complete frames to the channel's
 * {@link WsOutbound}. Inbound frames arrive through {@link WebSocketFrameHandler}, one task per frame
 * hopped onto the session's loop, so the session sees them in the channel's order.
 *
 * <p>Threading: owned by the session's loop. The WebSocket channel may live on another loop (an
 * upgrade whose WebSocket connection was accepted by a different loop than the polling handshake):
 * frames then go through {@link WsOutbound}, one hop per flush onto the WebSocket's loop, and a
 * pending-bytes count that stays exact across the two loops (see there). {@link #out} is volatile
 * only so {@link #isWritable()} and {@link Session#webSocketChannel()} can read it from other threads.
 *
 * <p>Bounds: bytes written to the WebSocket and not yet taken by its socket
 * ({@link WsOutbound#pendingBytes()}: batched, in flight to its loop, or in its outbound buffer) are
 * capped by {@link EngineIoConfig#maxPendingBytes()}; past it the session is closed as a slow client.
 */
final class WebSocketTransport extends Transport {

    /** Frames to the WebSocket; null until {@link #open} (a direct WebSocket session is made just before). */
    private volatile WsOutbound out;
    /** permessage-deflate as negotiated on the WebSocket, or null; set with {@link #out}, read on the owner loop. */
    private WsDeflate deflate;

    WebSocketTransport(Session session) {
        super(session);
    }

    @Override
    TransportKind kind() {
        return TransportKind.WEBSOCKET;
    }

    @Override
    WireFormat wireFormat() {
        return EngineWireFormats.WEBSOCKET;
    }

    /** The WebSocket, or null before {@link #open}. Any thread. */
    Channel channel() {
        WsOutbound o = out;
        return o == null ? null : o.channel();
    }

    /** Takes {@code ch} as the session's WebSocket; after the 101 of a direct handshake, or at the end of an upgrade. */
    void open(Channel ch) {
        deflate = ch.attr(WsDeflate.KEY).get();
        out = new WsOutbound(ch);
    }

    @Override
    boolean isWritable() {
        WsOutbound o = out;
        return o != null && o.isWritable(session.eventLoop().inEventLoop());
    }

    /** Writes and flushes one frame (owned), outside the pending-bytes cap: the open packet. */
    void writeAndFlush(ByteBuf frame) {
        out.writeAndFlush(frame);
    }

    @Override
    void sendText(PacketType type, String text) {
        writeCapped(PacketCodec.wsText(session.alloc(), type, text), false);
    }

    @Override
    void sendTextAlone(PacketType type, String text) {
        writeCapped(PacketCodec.wsText(session.alloc(), type, text), true);
    }

    @Override
    void sendBinary(ByteBuf data) {
        writeCapped(EngineWireFormats.binaryMessage(EngineWireFormats.WEBSOCKET, session.alloc(), data), false);
    }

    /**
     * Writes and flushes one complete frame (owned) to the WebSocket, within the pending-bytes cap;
     * {@code alone}: past flush consolidation ({@link WsOutbound#flushAlone}).
     */
    private void writeCapped(ByteBuf frame, boolean alone) {
        WsDeflate d = deflate;
        if (d != null && d.worthCompressing(frame)) {
            ByteBuf plain = frame;
            try {
                frame = WsDeflate.compress(session.alloc(), plain);
            } finally {
                plain.release();
            }
        }
        WsOutbound o = out;
        long pending = o.pendingBytes() + frame.readableBytes();
        if (pending > session.config().maxPendingBytes()) {
            frame.release();
            session.closeSlowClient(pending);
            return;
        }
        o.write(frame);
        if (alone) {
            o.flushAlone();
        } else {
            o.flush();
        }
    }

    @Override
    Subscriber.Delivery write(EncodedMessage message) {
        boolean sameFormat = message.format() == EngineWireFormats.WEBSOCKET;
        int n = message.frameCount();
        WsOutbound o = out;
        long pending = o.pendingBytes() + message.byteCount();
        if (pending > session.config().maxPendingBytes()) {
            session.closeSlowClient(pending);
            return Subscriber.Delivery.REJECTED;
        }
        WsDeflate d = message.compress() ? deflate : null;
        for (int i = 0; i < n; i++) {
            ByteBuf frame = message.frame(i);
            if (!sameFormat) {
                o.write(WsFrames.fromPolling(session.alloc(), frame));
            } else if (d != null && d.worthCompressing(frame)) {
                // Compressed once (no server context): every deflate subscriber shares the same bytes.
                o.write(message.compressedFrame(i, f -> WsDeflate.compress(session.alloc(), f)).retainedDuplicate());
            } else {
                // Encoded once: every WebSocket subscriber writes a retained duplicate of the same bytes.
                o.write(sharedCopy(frame));
            }
        }
        return Subscriber.Delivery.WRITTEN;
    }

    /** Writes (without flushing) a packet that was queued for polling; does not take {@code packet}. */
    void writeFromPolling(ByteBuf packet) {
        out.write(WsFrames.fromPolling(session.alloc(), packet));
    }

    @Override
    void flush() {
        WsOutbound o = out;
        if (o != null) {
            o.flush();
        }
    }

    @Override
    void closeByServer(boolean discard) {
        session.onClose(CloseReason.FORCED_CLOSE, "closed by the server");
    }

    @Override
    void close() {
        WsOutbound o = out;
        if (o != null) {
            Channel c = o.channel();
            o.flush(); // what was written goes out before the close frame (same FIFO as below)
            if (c.isActive()) {
                c.writeAndFlush(new CloseWebSocketFrame()).addListener(ChannelFutureListener.CLOSE);
            }
        }
    }
}
