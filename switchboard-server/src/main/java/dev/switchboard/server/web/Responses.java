package dev.switchboard.server.web;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Writes a complete response on a channel, from any thread, honouring keep-alive. */
final class Responses {

    private Responses() {}

    /**
     * @param keepAlive whether the request asked to keep the connection (read before the request was released)
     * @param head      a HEAD request: headers only
     */
    static void send(ChannelHandlerContext ctx, boolean keepAlive, boolean head, int status, String contentType,
                     Map<String, String> headers, byte[] body) {
        // Wraps the byte[] (no copy); Netty releases the response after writing it.
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(status), head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        response.headers().set("X-Content-Type-Options", "nosniff");
        headers.forEach((k, v) -> response.headers().set(k, v));
        HttpUtil.setKeepAlive(response, keepAlive);
        var future = ctx.writeAndFlush(response);
        if (!keepAlive) {
            future.addListener(ChannelFutureListener.CLOSE);
        }
    }

    static void text(ChannelHandlerContext ctx, boolean keepAlive, int status, String text) {
        send(ctx, keepAlive, false, status, HttpHeaderValues.TEXT_PLAIN + "; charset=utf-8", Map.of(),
                text.getBytes(StandardCharsets.UTF_8));
    }
}
