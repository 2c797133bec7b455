package dev.switchboard.server.web;

import dev.switchboard.transport.HttpHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A route whose handler exists only after the HTTP listener was built (the MQTT over WebSocket route needs
 * the listener's event loops): until {@link #set} it answers 503 and closes.
 */
public final class DeferredRoute implements HttpHandler {

    private volatile HttpHandler target;

    public void set(HttpHandler handler) {
        this.target = handler;
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
        HttpHandler t = target;
        if (t != null) {
            t.handle(ctx, request);
            return;
        }
        DefaultFullHttpResponse busy = new DefaultFullHttpResponse(request.protocolVersion(),
                HttpResponseStatus.SERVICE_UNAVAILABLE);
        busy.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
        ctx.writeAndFlush(busy).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public CompletionStage<Void> shutdown() {
        HttpHandler t = target;
        return t == null ? CompletableFuture.completedFuture(null) : t.shutdown();
    }
}
