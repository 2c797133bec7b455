package dev.switchboard.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request head and body timeouts of one HTTP connection ({@link ConnectionLimits}), as two handlers
 * around the HTTP codec sharing this state: {@link #bytes()} before the codec sees raw bytes (the first
 * byte after a finished request starts the head clock), {@link #messages()} after it sees the decoded
 * head (stops the head clock, starts the body clock) and the last content (stops it). Unlike the idle
 * timeout, bytes arriving one at a time do not push the deadline back.
 *
 * <p>States: AWAITING_HEAD (from the connection's start, clock running) → READING_BODY (clock running)
 * → BETWEEN (no clock: a long-polling request being answered, or an idle keep-alive connection, which the
 * idle timeout governs) → AWAITING_HEAD at the next byte. On expiry the client gets {@code 408} (written
 * as raw bytes below the codec, whose state is mid-request) and the connection closes.
 *
 * <p>Threading: the channel's event loop only; plain fields. Once the codec is gone (a WebSocket upgrade)
 * both handlers remove themselves; the transport also removes them by name when trimming after an upgrade.
 */
final class RequestTimeouts {

    static final String BYTES = "request-timeouts-bytes";
    static final String MESSAGES = "request-timeouts-messages";
    private static final Logger log = LoggerFactory.getLogger(RequestTimeouts.class);
    private static final byte[] TIMEOUT = ("HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
            + "content-length: 16\r\nconnection: close\r\n\r\nrequest too slow").getBytes(StandardCharsets.US_ASCII);

    private enum Phase { AWAITING_HEAD, READING_BODY, BETWEEN }

    private final long headNanos;
    private final long bodyNanos;
    private final TransportStats stats;
    private Phase phase = Phase.AWAITING_HEAD;
    private ScheduledFuture<?> clock;
    private ChannelHandlerContext bytesCtx;

    RequestTimeouts(ConnectionLimits limits, TransportStats stats) {
        this.headNanos = limits.requestHeadTimeout().toNanos();
        this.bodyNanos = limits.requestBodyTimeout().toNanos();
        this.stats = stats;
    }

    static boolean enabled(ConnectionLimits limits) {
        return !limits.requestHeadTimeout().isZero() || !limits.requestBodyTimeout().isZero();
    }

    ChannelDuplexHandler bytes() {
        return new ChannelDuplexHandler() {
            @Override
            public void handlerAdded(ChannelHandlerContext ctx) {
                bytesCtx = ctx;
                if (ctx.channel().isActive()) {
                    start(Phase.AWAITING_HEAD);
                }
            }

            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                start(Phase.AWAITING_HEAD);
                ctx.fireChannelActive();
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof ByteBuf && phase == Phase.BETWEEN) {
                    if (ctx.pipeline().get(HttpServerCodec.class) == null) {
                        // Not HTTP any more (upgraded): nothing to time.
                        remove(ctx);
                    } else {
                        start(Phase.AWAITING_HEAD);
                    }
                }
                ctx.fireChannelRead(msg);
            }

            @Override
            public void handlerRemoved(ChannelHandlerContext ctx) {
                stop();
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                stop();
                ctx.fireChannelInactive();
            }
        };
    }

    ChannelInboundHandlerAdapter messages() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof HttpRequest) {
                    start(Phase.READING_BODY);
                }
                if (msg instanceof LastHttpContent) {
                    stop();
                    phase = Phase.BETWEEN;
                }
                ctx.fireChannelRead(msg);
            }
        };
    }

    private void start(Phase next) {
        stop();
        phase = next;
        long nanos = next == Phase.AWAITING_HEAD ? headNanos : bodyNanos;
        if (nanos > 0 && bytesCtx != null) {
            clock = bytesCtx.executor().schedule(this::expired, nanos, TimeUnit.NANOSECONDS);
        }
    }

    private void stop() {
        if (clock != null) {
            clock.cancel(false);
            clock = null;
        }
    }

    private void expired() {
        clock = null;
        ChannelHandlerContext ctx = bytesCtx;
        if (ctx == null || !ctx.channel().isActive()) {
            return;
        }
        boolean head = phase == Phase.AWAITING_HEAD;
        (head ? stats.headTimeouts : stats.bodyTimeouts).increment();
        log.debug("closing {}: request {} not complete within {} ms", ctx.channel().remoteAddress(),
                head ? "head" : "body", TimeUnit.NANOSECONDS.toMillis(head ? headNanos : bodyNanos));
        phase = Phase.BETWEEN;
        ctx.writeAndFlush(Unpooled.wrappedBuffer(TIMEOUT)).addListener(ChannelFutureListener.CLOSE);
    }

    private static void remove(ChannelHandlerContext ctx) {
        if (ctx.pipeline().get(MESSAGES) != null) {
            ctx.pipeline().remove(MESSAGES);
        }
        ctx.pipeline().remove(ctx.handler());
    }
}
