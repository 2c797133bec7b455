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
import java.util.function.Consumer;

/**
 * A Socket.IO connection over Engine.IO long-polling, step by step: GET handshake
 * ({@code 0{"sid":..}}), POST {@code 40}, GET until the body holds the CONNECT reply
 * {@code 40{"sid":..}}, then POST {@code 1} (close) and close the TCP connection.
 *
 * <p>Requests go one after another on a keep-alive connection. When the server closes that connection
 * before answering (netty-socketio 2.0.13 resets a reused connection after the handshake response,
 * although it answered {@code connection: keep-alive}), the pending request is sent again on a new
 * connection, as browsers and curl do; at most {@link #MAX_RECONNECTS} times per handshake.
 *
 * <p>One instance per handshake; it moves from channel to channel, but only one channel is active at
 * a time and each step runs on that channel's event loop, so the fields need no locking beyond the
 * happens-before of connect.
 */
final class PollingHandshakeHandler extends SimpleChannelInboundHandler<FullHttpResponse> {

    static final int MAX_RECONNECTS = 3;

    private enum Step { HANDSHAKE, CONNECT_POST, CONNECT_GET, CLOSE_POST }

    private final String authority;
    private final String path;
    private final CompletableFuture<Long> result;
    private final Consumer<PollingHandshakeHandler> reconnect;
    private final Runnable onReconnect;
    private volatile Step step = Step.HANDSHAKE;
    private volatile String sid;
    private volatile long startNanos;
    private volatile int gets;
    private volatile int reconnects;
    private volatile boolean awaitingResponse;

    /**
     * @param reconnect   opens a new connection whose pipeline ends with this same handler
     * @param onReconnect counts reconnects for the report
     */
    PollingHandshakeHandler(String authority, String path, CompletableFuture<Long> result,
                            Consumer<PollingHandshakeHandler> reconnect, Runnable onReconnect) {
        this.authority = authority;
        this.path = path;
        this.result = result;
        this.reconnect = reconnect;
        this.onReconnect = onReconnect;
    }

    @Override
    public boolean isSharable() {
        return true; // on one channel at a time: the next one is opened only after the previous closed
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        if (startNanos == 0) {
            startNanos = System.nanoTime();
        }
        sendStep(ctx);
        super.channelActive(ctx);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse res) {
        awaitingResponse = false;
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
                sendStep(ctx);
            }
            case CONNECT_POST -> {
                step = Step.CONNECT_GET;
                sendStep(ctx);
            }
            case CONNECT_GET -> {
                if (body.startsWith("40{") || body.contains("\u001e40{")) {
                    result.complete(System.nanoTime() - startNanos);
                    step = Step.CLOSE_POST;
                    sendStep(ctx);
                } else if (body.startsWith("44") || body.contains("\u001e44")) {
                    fail(ctx, "CONNECT_ERROR: " + body);
                } else if (++gets > 3) {
                    fail(ctx, "no CONNECT reply after " + gets + " polls: " + body);
                } else {
                    sendStep(ctx); // a ping, noop or event came first
                }
            }
            case CLOSE_POST -> ctx.close();
        }
    }

    private void sendStep(ChannelHandlerContext ctx) {
        switch (step) {
            case HANDSHAKE, CONNECT_GET -> send(ctx, HttpMethod.GET, null);
            case CONNECT_POST -> send(ctx, HttpMethod.POST, "40");
            case CLOSE_POST -> send(ctx, HttpMethod.POST, "1");
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
        awaitingResponse = true;
        ctx.writeAndFlush(req);
    }

    private void fail(ChannelHandlerContext ctx, String why) {
        result.completeExceptionally(new ConnectFailure.HandshakeException(why));
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (!result.isDone() && awaitingResponse && reconnects < MAX_RECONNECTS) {
            reconnects++;
            onReconnect.run();
            reconnect.accept(this);
        } else {
            result.completeExceptionally(new ConnectFailure.HandshakeException("connection closed at " + step));
        }
        super.channelInactive(ctx);
    }

    /** The TCP connect itself failed (no channel became active). */
    void connectFailed(Throwable cause) {
        result.completeExceptionally(cause);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // channelInactive decides: send the pending request again, or fail
    }
}
