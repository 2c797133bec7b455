package dev.switchboard.engineio;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.flush.FlushConsolidationHandler;
import java.util.ArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

/**
 * The outbound side of a session's active WebSocket: complete frames written by the session, handed
 * to the WebSocket channel, and counted until they are in that channel's outbound buffer.
 *
 * <h2>Threading</h2>
 * The session's loop (the <em>owner</em>) calls {@link #write}, {@link #flush} and
 * {@link #pendingBytes}; the WebSocket channel may live on another loop (an upgrade whose WebSocket
 * connection was accepted by a different loop than the polling handshake). Then:
 * <ul>
 *   <li>frames wait in {@link #batch} (owner only) until {@link #flush}, which hands the whole batch
 *       to the channel's loop in <b>one task</b> that writes every frame and flushes once: one hop per
 *       flush, not one per frame, and since one owner submits the tasks to one FIFO queue, frames
 *       reach the socket in the order the session wrote them;</li>
 *   <li>{@link #inFlight} counts the bytes of batches submitted and not yet written into the
 *       channel's outbound buffer: added by the owner before submitting, subtracted by the channel's
 *       loop after writing. A byte is therefore always counted in the batch, in flight or in the
 *       outbound buffer (briefly twice, never zero times), so the pending-bytes cap cannot be
 *       outrun by a slow channel loop. (Netty's own estimate of cross-thread write tasks can be
 *       switched off with {@code io.netty.transport.estimateSizeOnSubmit}; this count does not
 *       depend on it.)</li>
 * </ul>
 * When the channel's loop is the owner, frames go straight into the channel ({@code write} without
 * flush, then {@code flush}) and only the outbound buffer counts.
 *
 * <p>The outbound buffer's size is read from the owner through {@link Channel.Unsafe#outboundBuffer()}:
 * a volatile reference whose total is a volatile long, the same read Netty's own
 * {@link Channel#isWritable()} makes from any thread.
 *
 * <p>Ownership: {@link #write} takes the frame; a frame written to a channel that has closed is
 * released by Netty. The session flushes before it writes its close frame, so nothing stays batched.
 */
final class WsOutbound {

    private final Channel ch;
    /** Frames not yet handed to the channel; owner loop only; null when empty. */
    private ArrayList<ByteBuf> batch;
    /** Bytes in {@link #batch}; owner loop only. */
    private long batchBytes;
    /**
     * Bytes submitted to the channel's loop and not yet in its outbound buffer; through
     * {@link #IN_FLIGHT} (a field updater rather than an AtomicLong: one object less per session).
     */
    private volatile long inFlight;
    private static final AtomicLongFieldUpdater<WsOutbound> IN_FLIGHT =
            AtomicLongFieldUpdater.newUpdater(WsOutbound.class, "inFlight");

    WsOutbound(Channel ch) {
        this.ch = ch;
    }

    Channel channel() {
        return ch;
    }

    /** Queues one complete frame (owned) without flushing. Owner loop. */
    void write(ByteBuf frame) {
        if (ch.eventLoop().inEventLoop()) {
            ch.write(frame, ch.voidPromise());
            return;
        }
        if (batch == null) {
            batch = new ArrayList<>(4);
        }
        batch.add(frame);
        batchBytes += frame.readableBytes();
    }

    /** Sends what {@link #write} queued. Owner loop. */
    void flush() {
        flush(false);
    }

    /**
     * Sends what {@link #write} queued to the socket now, past the pipeline's flush consolidation (which
     * would otherwise hold it for a later task of the channel's loop and join it to what is written
     * meanwhile): frames written after this call leave in a later write. Owner loop.
     */
    void flushAlone() {
        flush(true);
    }

    private void flush(boolean alone) {
        if (ch.eventLoop().inEventLoop()) {
            flush(ch, alone);
            return;
        }
        ArrayList<ByteBuf> frames = batch;
        if (frames == null) {
            return;
        }
        long bytes = batchBytes;
        batch = null;
        batchBytes = 0;
        IN_FLIGHT.addAndGet(this, bytes);
        try {
            ch.eventLoop().execute(() -> {
                for (int i = 0; i < frames.size(); i++) {
                    ch.write(frames.get(i), ch.voidPromise()); // a closed channel releases it
                }
                flush(ch, alone);
                IN_FLIGHT.addAndGet(this, -bytes);
            });
        } catch (RejectedExecutionException e) {
            IN_FLIGHT.addAndGet(this, -bytes); // the channel's loop is gone, and the channel with it
            frames.forEach(ByteBuf::release);
        }
    }

    /** Channel's loop. */
    private static void flush(Channel ch, boolean alone) {
        ChannelHandlerContext consolidation = alone ? ch.pipeline().context(FlushConsolidationHandler.class) : null;
        if (consolidation != null) {
            consolidation.flush(); // from its context on: the handlers between it and the socket (TLS) only
        } else {
            ch.flush();
        }
    }

    void writeAndFlush(ByteBuf frame) {
        write(frame);
        flush();
    }

    /** Bytes written by the session and not yet taken by the socket. Owner loop. */
    long pendingBytes() {
        return batchBytes + inFlight + outboundBytes();
    }

    /**
     * Whether a volatile packet should go out: the channel is below its high watermark and so is what
     * this side still holds for it. Any thread (off the owner, without the unflushed batch).
     */
    boolean isWritable(boolean onOwner) {
        if (!ch.isWritable()) {
            return false;
        }
        long held = inFlight + (onOwner ? batchBytes : 0);
        return held == 0 || held + outboundBytes() < ch.config().getWriteBufferHighWaterMark();
    }

    private long outboundBytes() {
        ChannelOutboundBuffer b = ch.unsafe().outboundBuffer();
        return b == null ? 0 : b.totalPendingWriteBytes();
    }
}
