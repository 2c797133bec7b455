package dev.switchboard.engineio;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the router's place once a channel is upgraded to WebSocket: decodes each (aggregated) frame
 * into one Engine.IO packet on the channel's loop and hands it to the session's loop. Control frames
 * are answered here (ping with pong, close with close). One instance per channel.
 */
final class WebSocketFrameHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(WebSocketFrameHandler.class);

    /** Set before the first frame can arrive (at handshake for an upgrade, after the 101 for a direct WebSocket). */
    private volatile Session session;

    WebSocketFrameHandler(Session session) {
        this.session = session;
    }

    void bind(Session session) {
        this.session = session;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Session s = session;
        Channel ch = ctx.channel();
        if (msg instanceof TextWebSocketFrame text) {
            String s1;
            try {
                s1 = text.text();
            } finally {
                text.release();
            }
            if (s == null) {
                return;
            }
            Packet p;
            try {
                p = PacketCodec.decodeText(s1);
            } catch (PacketDecodeException e) {
                String detail = e.getMessage();
                hop(s, () -> s.onWsParseError(ch, detail), null);
                return;
            }
            hop(s, () -> s.onWsPacket(ch, p), p);
        } else if (msg instanceof BinaryWebSocketFrame binary) {
            if (s == null) {
                binary.release();
                return;
            }
            Packet p = Packet.binary(binary.content()); // the frame's content now belongs to the packet
            hop(s, () -> s.onWsPacket(ch, p), p);
        } else if (msg instanceof PingWebSocketFrame ping) {
            ctx.writeAndFlush(new PongWebSocketFrame(ping.content()), ctx.voidPromise());
        } else if (msg instanceof CloseWebSocketFrame close) {
            close.release();
            ctx.writeAndFlush(new CloseWebSocketFrame()).addListener(ChannelFutureListener.CLOSE);
        } else {
            ReferenceCountUtil.release(msg); // pong, stray continuation
        }
    }

    private static void hop(Session s, Runnable task, Packet owned) {
        if (s.eventLoop().inEventLoop()) {
            task.run();
        } else if (!s.run(task) && owned != null) {
            owned.release();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Session s = session;
        Channel ch = ctx.channel();
        if (s != null) {
            hop(s, () -> s.onWsClosed(ch), null);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Session s = session;
        Channel ch = ctx.channel();
        String detail = cause.getClass().getSimpleName() + ": " + cause.getMessage();
        if (cause instanceof IOException) {
            log.debug("engine.io websocket {} failed: {}", s == null ? ch.id() : s.id(), detail);
        }
        if (s != null) {
            hop(s, () -> s.onWsError(ch, detail), null);
        }
        ctx.close();
    }
}
