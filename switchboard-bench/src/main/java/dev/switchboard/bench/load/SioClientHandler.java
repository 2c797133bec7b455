package dev.switchboard.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

/**
 * Engine.IO v4 and Socket.IO v5 over one WebSocket, for the load generator. Sits after Netty's
 * {@code WebSocketClientProtocolHandler}; all state is confined to the channel's event loop.
 *
 * <p>States: the WebSocket handshake completes; the server sends the open packet
 * {@code 0{"sid":..}}; we send CONNECT {@code 40} (with the auth object if any); the server answers
 * {@code 40{"sid":..}} and the client is ready. Meanwhile and after, every ping {@code 2} is answered
 * by a pong {@code 3} at once (Engine.IO v4 heartbeat is server-initiated).
 */
final class SioClientHandler extends SimpleChannelInboundHandler<WebSocketFrame> {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SioClient client;
    private final String authJson;

    SioClientHandler(SioClient client, String authJson) {
        this.client = client;
        this.authJson = authJson;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
            client.fail(new ConnectFailure.HandshakeException("WebSocket handshake timed out"));
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        if (!(frame instanceof TextWebSocketFrame text)) {
            return; // binary attachments are not decoded (see SioClient)
        }
        String s = text.text();
        if (s.isEmpty()) {
            return;
        }
        switch (s.charAt(0)) {
            case '2' -> ctx.writeAndFlush(new TextWebSocketFrame("3"), ctx.voidPromise());
            case '4' -> onMessage(ctx, s);
            case '0' -> onOpen(ctx, s);
            case '1' -> ctx.close();
            default -> { } // 3 pong, 6 noop: nothing to do
        }
    }

    private void onOpen(ChannelHandlerContext ctx, String s) {
        try {
            JsonNode open = JSON.readTree(s.substring(1));
            client.onOpen(open.path("sid").asText(null));
        } catch (Exception e) {
            client.fail(new ConnectFailure.HandshakeException("bad open packet: " + s));
            return;
        }
        ctx.writeAndFlush(new TextWebSocketFrame(authJson == null ? "40" : "40" + authJson), ctx.voidPromise());
    }

    private void onMessage(ChannelHandlerContext ctx, String s) {
        SioPacket p;
        try {
            p = SioPacket.parse(s, 1);
        } catch (RuntimeException e) {
            client.fail(new ConnectFailure.HandshakeException("unreadable packet: " + e.getMessage()));
            return;
        }
        if (p.type() == SioPacket.CONNECT && "/".equals(p.nsp())) {
            String sid = null;
            try {
                sid = JSON.readTree(p.data()).path("sid").asText(null);
            } catch (Exception e) {
                // handled below: a CONNECT reply without sid is a failed handshake
            }
            if (sid == null) {
                client.fail(new ConnectFailure.HandshakeException("CONNECT reply without sid: " + s));
            } else {
                client.onConnect(sid);
            }
        } else if (p.type() == SioPacket.CONNECT_ERROR && "/".equals(p.nsp())) {
            client.fail(new ConnectFailure.HandshakeException("CONNECT_ERROR: " + p.data()));
        } else {
            client.onPacket(p);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        client.fail(cause);
    }
}
