package dev.switchboard.engineio;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * The HTTP answers of the polling transport and of refused requests, with the headers engine.io sends.
 * Each takes ownership of the body it is given and may be called from any thread (Netty hops the
 * write onto the channel's loop). A write to a connection that has gone away fails quietly (its
 * future is not watched; the response is released), which is what a vanished poller deserves.
 * Keep-alive is handled by the transport's keep-alive handler.
 */
final class HttpResponses {

    private static final String TEXT_UTF8 = "text/plain; charset=UTF-8";
    private static final byte[] OK = "ok".getBytes(StandardCharsets.US_ASCII);

    private HttpResponses() {}

    /**
     * A poll answer: the joined payload, compressed when the GET accepted an encoding and the payload
     * is long enough ({@link HttpCompression}).
     */
    static void payload(Channel ch, ByteBuf body) {
        HttpCompression c = ch.attr(HttpCompression.KEY).getAndSet(null);
        String encoding = null;
        if (c != null && c.worth(body)) {
            ByteBuf plain = body;
            try {
                body = c.compress(ch.alloc(), plain);
                encoding = c.encoding;
            } finally {
                plain.release();
            }
        }
        FullHttpResponse r = response(HttpResponseStatus.OK, body, TEXT_UTF8);
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        if (encoding != null) {
            r.headers().set(HttpHeaderNames.CONTENT_ENCODING, encoding);
        }
        ch.writeAndFlush(r);
    }

    /** The answer to a POST whose packets were accepted; {@code text/html} as engine.io (GH-43). */
    static void ok(Channel ch) {
        FullHttpResponse r = response(HttpResponseStatus.OK, Unpooled.wrappedBuffer(OK), "text/html");
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        ch.writeAndFlush(r);
    }

    /** An answer with no body (400 for an overlapping GET, 413 for a POST over maxPayload). */
    static void empty(Channel ch, HttpResponseStatus status) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.EMPTY_BUFFER);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        ch.writeAndFlush(r);
    }

    /** engine.io's {@code abortRequest}: 403 for FORBIDDEN, else 400, JSON {@code {"code":N,"message":".."}}. */
    static void error(Channel ch, EngineIoError error, String message) {
        HttpResponseStatus status =
                error == EngineIoError.FORBIDDEN ? HttpResponseStatus.FORBIDDEN : HttpResponseStatus.BAD_REQUEST;
        String json = "{\"code\":" + error.code + ",\"message\":" + jsonString(message) + "}";
        ch.writeAndFlush(response(status, Unpooled.copiedBuffer(json, StandardCharsets.UTF_8), "application/json"));
    }

    /** engine.io's {@code abortUpgrade}: 400, the message as text, connection closed. */
    static void abortUpgrade(Channel ch, String message) {
        FullHttpResponse r = response(HttpResponseStatus.BAD_REQUEST,
                Unpooled.copiedBuffer(message, StandardCharsets.UTF_8), "text/html");
        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ch.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }

    private static FullHttpResponse response(HttpResponseStatus status, ByteBuf body, String contentType) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        r.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        return r;
    }

    static String jsonString(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
