package dev.switchboard.transport;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides, when a connection is set up, whether the listener takes it ({@link ConnectionLimits#maxConnections()},
 * {@link ConnectionLimits#maxConnectionsPerAddress()}). An admitted connection is counted until it closes; a
 * refused one gets a one-handler pipeline that answers its first request {@code 503} (node full) or
 * {@code 429} (address full) and closes, or closes after {@link #REFUSED_WAIT_MS} if no request comes.
 * Connections already open are never affected.
 *
 * <p>Thread-safe: counts are atomic; the per-address map holds only addresses with open connections.
 */
final class Admission {

    private static final Logger log = LoggerFactory.getLogger(Admission.class);
    /** How long a refused connection may take to send the request its refusal answers. */
    static final long REFUSED_WAIT_MS = 2_000;

    private final ConnectionLimits limits;
    private final TransportStats stats;
    private final ConcurrentHashMap<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();

    Admission(ConnectionLimits limits, TransportStats stats) {
        this.limits = limits;
        this.stats = stats;
    }

    /** @return true when the channel is admitted (and counted until it closes); false: it was set up to refuse */
    boolean admit(SocketChannel ch) {
        int max = limits.maxConnections();
        if (stats.open.incrementAndGet() > max && max > 0) {
            stats.open.decrementAndGet();
            stats.refusedNodeLimit.increment();
            refuse(ch, 503, "Service Unavailable", "the server is at its connection limit");
            return false;
        }
        InetAddress address = ch.remoteAddress() == null ? null : ch.remoteAddress().getAddress();
        if (address != null && address.isLoopbackAddress() && limits.exemptLoopback()) {
            address = null;
        }
        int perMax = limits.maxConnectionsPerAddress();
        if (perMax > 0 && address != null) {
            boolean[] over = new boolean[1];
            perAddress.compute(address, (a, n) -> {
                AtomicInteger c = n == null ? new AtomicInteger() : n;
                if (c.get() >= perMax) {
                    over[0] = true;
                } else {
                    c.incrementAndGet();
                }
                return c.get() == 0 ? null : c;
            });
            if (over[0]) {
                stats.open.decrementAndGet();
                stats.refusedAddressLimit.increment();
                refuse(ch, 429, "Too Many Requests", "too many connections from your address");
                return false;
            }
        }
        InetAddress counted = address;
        ch.closeFuture().addListener(f -> {
            stats.open.decrementAndGet();
            if (perMax > 0 && counted != null) {
                perAddress.computeIfPresent(counted, (a, c) -> c.decrementAndGet() <= 0 ? null : c);
            }
        });
        return true;
    }

    private void refuse(SocketChannel ch, int status, String phrase, String message) {
        log.debug("refusing connection from {}: {}", ch.remoteAddress(), message);
        byte[] body = message.getBytes(StandardCharsets.UTF_8);
        byte[] response = ("HTTP/1.1 " + status + " " + phrase + "\r\ncontent-type: text/plain; charset=utf-8\r\n"
                + "retry-after: 1\r\ncontent-length: " + body.length + "\r\nconnection: close\r\n\r\n" + message)
                .getBytes(StandardCharsets.UTF_8);
        ch.pipeline().addLast("refused", new ChannelInboundHandlerAdapter() {
            private boolean answered;

            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                ctx.executor().schedule(() -> {
                    ctx.close();
                }, REFUSED_WAIT_MS, TimeUnit.MILLISECONDS);
                ctx.fireChannelActive();
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ReferenceCountUtil.release(msg);
                if (!answered) {
                    answered = true;
                    ctx.writeAndFlush(Unpooled.wrappedBuffer(response)).addListener(ChannelFutureListener.CLOSE);
                }
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ctx.close();
            }
        });
    }
}
