package dev.switchboard.engineio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.testkit.LeakDetectorExtension;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.local.LocalServerChannel;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link WsOutbound} with its channel on another loop than its writer: bytes are counted while
 * batched, while in flight to a loop that is busy, and while in the outbound buffer (never zero
 * times), arrive in order, and the count returns to zero once the peer took them.
 */
@ExtendWith(LeakDetectorExtension.class)
class WsOutboundTest {

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, LocalIoHandler.newFactory());
    private final EventLoop owner = group.next();
    private final EventLoop channelLoop = group.next();
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();

    @AfterEach
    void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private Channel connect() {
        LocalAddress address = new LocalAddress("ws-outbound-" + System.nanoTime());
        new ServerBootstrap().group(group).channel(LocalServerChannel.class)
                .childHandler(new ChannelInitializer<LocalChannel>() {
                    @Override
                    protected void initChannel(LocalChannel ch) {
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ByteBuf b = (ByteBuf) msg;
                                synchronized (received) {
                                    received.writeBytes(io.netty.buffer.ByteBufUtil.getBytes(b));
                                }
                                b.release();
                            }
                        });
                    }
                }).bind(address).syncUninterruptibly();
        return new Bootstrap().group(channelLoop).channel(LocalChannel.class)
                .handler(new ChannelInboundHandlerAdapter()).connect(address).syncUninterruptibly().channel();
    }

    private <T> T onOwner(java.util.concurrent.Callable<T> task) throws Exception {
        return owner.submit(task).get(5, TimeUnit.SECONDS);
    }

    @Test
    void bytesAreCountedUntilTheSocketTookThemAndArriveInOrder() throws Exception {
        assertThat(owner).isNotSameAs(channelLoop);
        Channel ch = connect();
        ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(1_000, 5_000));
        WsOutbound out = new WsOutbound(ch);
        CountDownLatch busy = new CountDownLatch(1);
        channelLoop.execute(() -> {
            try {
                busy.await(5, TimeUnit.SECONDS); // the WebSocket's loop is busy elsewhere
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        onOwner(() -> {
            for (int i = 0; i < 10; i++) {
                ByteBuf b = PooledByteBufAllocator.DEFAULT.buffer(1_000);
                for (int k = 0; k < 1_000; k++) {
                    b.writeByte(i);
                }
                out.write(b);
            }
            assertThat(out.pendingBytes()).as("batched").isEqualTo(10_000);
            assertThat(out.isWritable(true)).isFalse();
            out.flush();
            assertThat(out.pendingBytes()).as("in flight to a busy loop").isEqualTo(10_000);
            assertThat(out.isWritable(true)).isFalse();
            return null;
        });
        assertThat(out.isWritable(false)).isFalse();
        busy.countDown();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> onOwner(out::pendingBytes) == 0);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> {
            synchronized (received) {
                return received.size() == 10_000;
            }
        });
        byte[] got;
        synchronized (received) {
            got = received.toByteArray();
        }
        for (int i = 0; i < got.length; i++) {
            assertThat(got[i]).as("byte %d", i).isEqualTo((byte) (i / 1_000));
        }
        assertThat(onOwner(() -> out.isWritable(true))).isTrue();
        ch.close().syncUninterruptibly();
        // A flush to a closed channel releases what it carried.
        onOwner(() -> {
            out.writeAndFlush(PooledByteBufAllocator.DEFAULT.buffer(10).writeZero(10));
            return null;
        });
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> onOwner(out::pendingBytes) == 0);
    }
}
