package dev.switchboard.engineio;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Drives the Engine.IO route through {@link EmbeddedChannel}s, each standing for one HTTP connection,
 * in place of the transport's router (which hands over the request and releases it afterwards).
 */
final class EngineHarness {

    final EngineIoServer engine;
    final List<String> events = new ArrayList<>();
    final List<EngineSocket> sockets = new ArrayList<>();

    EngineHarness(EngineIoConfig config) {
        engine = EngineIoServer.create(config, socket -> {
            sockets.add(socket);
            socket.listener(new EngineSocket.Listener() {
                @Override
                public void onMessage(String text) {
                    events.add("message:" + text);
                }

                @Override
                public void onBinary(io.netty.buffer.ByteBuf data) {
                    events.add("binary:" + data.readableBytes());
                    data.release();
                }

                @Override
                public void onClose(CloseReason reason, String detail) {
                    events.add("close:" + reason.text());
                }
            });
        });
    }

    /**
     * A new connection. Its clock is frozen: time moves only through {@code advanceTimeBy}, so a heartbeat
     * or timeout never fires because the machine was slow between two steps of a test.
     */
    EmbeddedChannel connection() {
        EmbeddedChannel channel = new EmbeddedChannel(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                FullHttpRequest request = (FullHttpRequest) msg;
                try {
                    engine.httpHandler().handle(ctx, request);
                } finally {
                    request.release();
                }
            }
        });
        channel.freezeTime();
        return channel;
    }

    static FullHttpRequest get(String uri) {
        return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri, Unpooled.EMPTY_BUFFER);
    }

    static FullHttpRequest post(String uri, String body) {
        FullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, uri,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain;charset=UTF-8");
        return r;
    }

    static String poll(String sid) {
        return "/engine.io/?EIO=4&transport=polling" + (sid == null ? "" : "&sid=" + sid);
    }

    /** What one response said; the response is released. */
    record Answer(int status, String body, String contentType) {}

    static Answer answer(EmbeddedChannel ch) {
        FullHttpResponse r = ch.readOutbound();
        if (r == null) {
            return null;
        }
        try {
            return new Answer(r.status().code(), r.content().toString(StandardCharsets.UTF_8),
                    r.headers().get(HttpHeaderNames.CONTENT_TYPE));
        } finally {
            r.release();
        }
    }

    /** Handshakes over polling on {@code ch}; returns the sid. */
    String handshake(EmbeddedChannel ch) {
        ch.writeInbound(get(poll(null)));
        Answer a = answer(ch);
        if (a == null || a.status != 200 || !a.body.startsWith("0{\"sid\":\"")) {
            throw new AssertionError("handshake failed: " + a);
        }
        return a.body.substring(9, 29);
    }
}
