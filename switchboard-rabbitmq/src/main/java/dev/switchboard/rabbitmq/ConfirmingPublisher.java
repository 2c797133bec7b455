package dev.switchboard.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishes on one channel in confirm mode, every message {@code mandatory}, and completes each publish's
 * stage when the broker confirmed it: normally on {@code basic.ack}; with {@link UnroutableException} when
 * the broker returned it first (no queue bound for its routing key: AMQP sends {@code basic.return} before
 * the {@code basic.ack} of the same message); with {@link RefusedException} on {@code basic.nack}; with the
 * channel's shutdown cause when the channel closes before the confirm (connection lost: nothing was
 * confirmed, the publisher may retry).
 *
 * <p>Threading: {@link #publish} from any thread; the sequence number and the {@code basic.publish} are
 * taken together under {@code this}, so publishes from several threads keep their numbering. Confirms,
 * returns and the shutdown arrive on the connection's thread. Pending publishes are bounded by what the
 * callers admit (the bridge's outbound window, the inbound prefetch) and all end when the channel closes.
 */
public final class ConfirmingPublisher {

    /** Header carrying the publish's correlation id, which a {@code basic.return} gives back. */
    static final String CORRELATION_HEADER = "x-switchboard-publish";

    /** The broker returned the message: nothing is bound for its routing key. No stack trace. */
    public static final class UnroutableException extends IOException {
        UnroutableException(String exchange, String routingKey, String reply) {
            super("unroutable: exchange " + exchange + ", routing key " + routingKey + " (" + reply + ")", null);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    /** The broker refused the message ({@code basic.nack}). No stack trace. */
    public static final class RefusedException extends IOException {
        RefusedException() {
            super("refused by the broker (basic.nack)", null);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    private static final class Pending {
        final String correlation;
        final CompletableFuture<Void> done = new CompletableFuture<>();
        volatile IOException returned;

        Pending(String correlation) {
            this.correlation = correlation;
        }
    }

    private final Channel channel;
    private final ConcurrentNavigableMap<Long, Pending> bySeq = new ConcurrentSkipListMap<>();
    private final Map<String, Pending> byCorrelation = new ConcurrentHashMap<>();
    private final AtomicLong correlations = new AtomicLong();
    private final String prefix;

    public ConfirmingPublisher(Channel channel, String prefix) throws IOException {
        this.channel = channel;
        this.prefix = prefix;
        channel.confirmSelect();
        channel.addConfirmListener(new ConfirmListener() {
            @Override
            public void handleAck(long seq, boolean multiple) {
                settle(seq, multiple, null);
            }

            @Override
            public void handleNack(long seq, boolean multiple) {
                settle(seq, multiple, new RefusedException());
            }
        });
        channel.addReturnListener(r -> {
            Object c = r.getProperties().getHeaders() == null ? null : r.getProperties().getHeaders().get(CORRELATION_HEADER);
            Pending p = c == null ? null : byCorrelation.get(c.toString());
            if (p != null) {
                p.returned = new UnroutableException(r.getExchange(), r.getRoutingKey(), r.getReplyCode() + " " + r.getReplyText());
            }
        });
        channel.addShutdownListener(this::failAll);
    }

    public Channel channel() {
        return channel;
    }

    public int pending() {
        return bySeq.size();
    }

    /** @param props the message's properties; the correlation header is added to a copy */
    public CompletableFuture<Void> publish(String exchange, String routingKey, AMQP.BasicProperties props, byte[] body) {
        String correlation = prefix + correlations.incrementAndGet();
        Map<String, Object> headers = props.getHeaders() == null ? new HashMap<>() : new HashMap<>(props.getHeaders());
        headers.put(CORRELATION_HEADER, correlation);
        AMQP.BasicProperties withCorrelation = props.builder().headers(headers).build();
        Pending p = new Pending(correlation);
        synchronized (this) {
            long seq = channel.getNextPublishSeqNo();
            bySeq.put(seq, p);
            byCorrelation.put(correlation, p);
            try {
                channel.basicPublish(exchange, routingKey, true, withCorrelation, body);
            } catch (IOException | AlreadyClosedException e) {
                bySeq.remove(seq);
                byCorrelation.remove(correlation);
                p.done.completeExceptionally(e);
            }
        }
        return p.done;
    }

    private void settle(long seq, boolean multiple, IOException nack) {
        Map<Long, Pending> settled = multiple ? bySeq.headMap(seq, true) : single(seq);
        for (Map.Entry<Long, Pending> e : settled.entrySet()) {
            Pending p = e.getValue();
            bySeq.remove(e.getKey());
            byCorrelation.remove(p.correlation);
            IOException failure = nack != null ? nack : p.returned;
            if (failure == null) {
                p.done.complete(null);
            } else {
                p.done.completeExceptionally(failure);
            }
        }
    }

    private Map<Long, Pending> single(long seq) {
        Pending p = bySeq.get(seq);
        return p == null ? Map.of() : Map.of(seq, p);
    }

    private void failAll(ShutdownSignalException cause) {
        IOException e = new IOException("channel closed before the broker confirmed: "
                + (cause.getReason() == null ? cause.getMessage() : cause.getReason().protocolMethodName()), null);
        for (Long seq : bySeq.keySet()) {
            Pending p = bySeq.remove(seq);
            if (p != null) {
                byCorrelation.remove(p.correlation);
                p.done.completeExceptionally(e);
            }
        }
    }
}
