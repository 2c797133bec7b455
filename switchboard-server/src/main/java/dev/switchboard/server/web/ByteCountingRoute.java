package dev.switchboard.server.web;

import dev.switchboard.transport.HttpHandler;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpRequest;
import java.util.concurrent.CompletionStage;

/**
 * Counts the bytes a route's connections carry, as {@code switchboard_<name>_bytes_total{direction}}:
 * on a connection's first request it puts a counting handler at the head of the pipeline (below TLS,
 * so these are bytes on the wire), then passes the request on. The request that installs it was already
 * read, so its own bytes are added from its length. A connection the route upgrades to WebSocket keeps
 * the handler: frames are counted too.
 *
 * <p>The handler only reads {@code readableBytes()}; it never retains, releases or copies a buffer.
 */
public final class ByteCountingRoute implements HttpHandler {

    static final String HANDLER_NAME = "switchboard-byte-counter";

    private final HttpHandler delegate;
    private final Counting counting;

    public ByteCountingRoute(HttpHandler delegate, String name, MeterRegistry registry) {
        this.delegate = delegate;
        this.counting = new Counting(
                Counter.builder("switchboard." + name + ".bytes").tag("direction", "in")
                        .description("bytes received on this route's connections").baseUnit("bytes").register(registry),
                Counter.builder("switchboard." + name + ".bytes").tag("direction", "out")
                        .description("bytes sent on this route's connections").baseUnit("bytes").register(registry));
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (ctx.pipeline().get(HANDLER_NAME) == null) {
            ctx.pipeline().addFirst(HANDLER_NAME, counting);
            // Approximate: the request line and headers are not counted for this first request.
            counting.in.increment(request.content().readableBytes());
        }
        delegate.handle(ctx, request);
    }

    @Override
    public CompletionStage<Void> shutdown() {
        return delegate.shutdown();
    }

    @ChannelHandler.Sharable
    private static final class Counting extends ChannelDuplexHandler {
        final Counter in;
        final Counter out;

        Counting(Counter in, Counter out) {
            this.in = in;
            this.out = out;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            in.increment(size(msg));
            ctx.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            out.increment(size(msg));
            ctx.write(msg, promise);
        }

        private static long size(Object msg) {
            if (msg instanceof ByteBuf b) {
                return b.readableBytes();
            }
            if (msg instanceof ByteBufHolder h) {
                return h.content().readableBytes();
            }
            return 0;
        }
    }
}
