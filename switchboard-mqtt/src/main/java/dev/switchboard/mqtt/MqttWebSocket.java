package dev.switchboard.mqtt;

import dev.switchboard.transport.HttpHandler;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.channel.ChannelFutureListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MQTT over WebSocket (MQTT 5.0 6.0, 3.1.1 6.0) as a route of the HTTP listener: the handshake must offer the
 * subprotocol {@code mqtt} (browsers' MQTT clients do); afterwards binary frames carry MQTT bytes in either
 * direction (a packet may span frames, a frame may hold several) and the connection is an MQTT connection
 * like one on the TCP port, with the same pipeline behind the frame adapter.
 *
 * <p>Threading: {@link #handle} on the request's event loop; the connection then stays on it.
 */
final class MqttWebSocket implements HttpHandler {

    private static final Logger log = LoggerFactory.getLogger(MqttWebSocket.class);
    static final String SUBPROTOCOL = "mqtt";

    private final NettyMqttServer server;
    private final WebSocketDecoderConfig decoderConfig;

    MqttWebSocket(NettyMqttServer server, int maxPacketSize) {
        this.server = server;
        this.decoderConfig = WebSocketDecoderConfig.newBuilder().maxFramePayloadLength(maxPacketSize).build();
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest req) {
        Channel ch = ctx.channel();
        String offered = req.headers().get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
        if (!req.headers().containsValue(HttpHeaderNames.UPGRADE, "websocket", true) || offered == null
                || !offered.toLowerCase(java.util.Locale.ROOT).contains(SUBPROTOCOL)) {
            // 6.0: the client offers the "mqtt" subprotocol; a handshake without it is not an MQTT client's.
            DefaultFullHttpResponse bad = new DefaultFullHttpResponse(req.protocolVersion(), HttpResponseStatus.BAD_REQUEST);
            bad.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
            ctx.writeAndFlush(bad).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        boolean secure = ch.pipeline().get(SslHandler.class) != null;
        String url = (secure ? "wss://" : "ws://") + req.headers().get(HttpHeaderNames.HOST, "localhost") + req.uri();
        WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(url, SUBPROTOCOL, decoderConfig)
                .newHandshaker(req);
        if (handshaker == null) {
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ch);
            return;
        }
        handshaker.handshake(ch, req).addListener(f -> {
            if (f.isSuccess()) {
                // MQTT's keep alive closes silent peers: the transport's idle detection can go.
                HttpHandler.trimAfterWebSocketUpgrade(ch.pipeline(), true);
            } else {
                log.info("MQTT over WebSocket: handshake with {} failed: {}", ch.remoteAddress(), f.cause().toString());
                ch.close();
            }
        });
        ChannelPipeline p = ctx.pipeline();
        p.replace(ROUTER_NAME, "mqtt-ws", new Frames());
        server.addMqttHandlers(ch, p);
    }

    /** Binary frames in, MQTT bytes out; MQTT bytes in, binary frames out. Text frames are a protocol error. */
    private static final class Frames extends ChannelDuplexHandler {

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof WebSocketFrame frame)) {
                ctx.fireChannelRead(msg);
                return;
            }
            if (frame instanceof BinaryWebSocketFrame || frame instanceof ContinuationWebSocketFrame) {
                ctx.fireChannelRead(frame.content()); // the decoder now owns it
                return;
            }
            try {
                if (frame instanceof PingWebSocketFrame) {
                    ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()));
                } else if (frame instanceof CloseWebSocketFrame) {
                    ctx.writeAndFlush(new CloseWebSocketFrame(frame.isFinalFragment(), frame.rsv()))
                            .addListener(ChannelFutureListener.CLOSE);
                } else if (!(frame instanceof PongWebSocketFrame)) {
                    // 6.0: MQTT Control Packets MUST be sent in binary data frames.
                    log.info("MQTT over WebSocket {} closed: a {} frame", ctx.channel().remoteAddress(),
                            frame.getClass().getSimpleName());
                    ctx.writeAndFlush(new CloseWebSocketFrame(1003, "MQTT needs binary frames"))
                            .addListener(ChannelFutureListener.CLOSE);
                }
            } finally {
                ReferenceCountUtil.release(frame);
            }
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof ByteBuf b) {
                ctx.write(new BinaryWebSocketFrame(b), promise);
            } else {
                ctx.write(msg, promise);
            }
        }
    }
}
