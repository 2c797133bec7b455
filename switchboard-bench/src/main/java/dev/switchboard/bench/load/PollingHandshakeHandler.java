package dev.switchboard.bench.load;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * A Socket.IO connection over Engine.IO long-polling on one keep-alive HTTP connection, step by step:
 * GET handshake ({@code 0{"sid":..}}), POST {@code 40}, GET until the body holds the CONNECT reply
 * {@code 40{"sid":..}}, then POST {@code 1} (close) and close the TCP connection. State confined to
 * the channel's event loop.
 */
final class PollingHandshakeHandler extends SimpleChannelInboundHandler<FullHttpResponse> {

    private enum Step { HANDSHAKE, CONNECT_POST, CONNECT_GET, CLOSE_POST }

    private final String authority;
    private final String path;
    private final CompletableFuture<Long> result;
    private Step step = Step.HANDSHAKE;
    private String sid;
    private long startNanos;
    private int gets;

    PollingHandshakeHandler(String authority, String path, CompletableFuture<Long> result) {
        this.authority = authority;
        this.path = path;
        this.result = result;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        startNanos = System.nanoTime();
        send(ctx, HttpMethod.GET, null);
        super.channelActive(ctx);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse res) {
        String body = res.content().toString(StandardCharsets.UTF_8);
        if (res.status().code() != 200) {
            fail(ctx, "HTTP " + res.status().code() + " at " + step + ": " + body);
            return;
        }
        switch (step) {
            case HANDSHAKE -> {
                int at = body.indexOf("\"sid\":\"");
                if (!body.startsWith("0") || at < 0) {
                    fail(ctx, "bad open packet: " + body);
                    return;
                }
                sid = body.substring(at + 7, body.indexOf('"', at + 7));
                step = Step.CONNECT_POST;
                send(ctx, HttpMethod.POST, "40");
            }
            case CONNECT_POST -> {
                step = Step.CONNECT_GET;
                send(ctx, HttpMethod.GET, null);
            }
            case CONNECT_GET -> {
                if (body.startsWith("40{") || body.contains("\u001e40{")) {
                    result.complete(System.nanoTime() - startNanos);
                    step = Step.CLOSE_POST;
                    send(ctx, HttpMethod.POST, "1");
                } else if (body.startsWith("44") || body.contains("\u001e44")) {
                    fail(ctx, "CONNECT_ERROR: " + body);
                } else if (++gets > 3) {
                    fail(ctx, "no CONNECT reply after " + gets + " polls: " + body);
                } else {
                    send(ctx, HttpMethod.GET, null); // a ping or noop came first
                }
            }
            case CLOSE_POST -> ctx.close();
        }
    }

    private void send(ChannelHandlerContext ctx, HttpMethod method, String body) {
        String uri = path + "?EIO=4&transport=polling" + (sid == null ? "" : "&sid=" + sid);
        FullHttpRequest req = body == null
                ? new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri)
                : new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri,
                        Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        req.headers().set(HttpHeaderNames.HOST, authority);
        req.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        req.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, req.content().readableBytes());
        if (body != null) {
            req.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain;charset=UTF-8");
        }
        ctx.writeAndFlush(req);
    }

    private void fail(ChannelHandlerContext ctx, String why) {
        result.completeExceptionally(new ConnectFailure.HandshakeException(why));
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        result.completeExceptionally(new ConnectFailure.HandshakeException("connection closed at " + step));
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        result.completeExceptionally(cause);
        ctx.close();
    }
}
