package dev.switchboard.core.routing;

import dev.switchboard.core.message.Message;
import dev.switchboard.core.message.MessageCodec;
import dev.switchboard.core.message.MessageFormatException;
import dev.switchboard.core.spi.Backplane;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router of a node in a cluster: a {@link LocalRouter} for this node's subscribers, plus the
 * backplane for the others, after socket.io-adapter's {@code ClusterAdapter}.
 *
 * <ul>
 *   <li>{@link #publish}: delivered here, then, unless {@link Message#local()}, sent to every other node
 *       as a BROADCAST envelope (the message in {@link MessageCodec} form, its origin node filled in).
 *       A node that receives one delivers it to its own subscribers only.</li>
 *   <li>{@link #publishWithAck}: the BROADCAST carries a request id and the timeout; each other node
 *       delivers it with an ack id of its own, answers BROADCAST_CLIENT_COUNT with how many recipients
 *       it had, then one BROADCAST_ACK per answer. {@link AckCollector} waits for a count from every
 *       node that was a peer when the message left, and for that many answers.</li>
 *   <li>{@link #request}: the other requests of the cluster adapter; a node answers through the
 *       {@link RequestHandler} of the request's space.</li>
 * </ul>
 * Every wait ends at its timeout, and a node that leaves ({@link Backplane.Receiver#peerLeft}) stops
 * being waited for at once: a node that is gone never makes a publisher hang.
 *
 * <p>Threading: publishing is the caller's thread, as for the local router; envelopes from other nodes
 * are handled on the backplane's receiving thread (deliveries are handed to event loops from there).
 * The tables of pending requests are concurrent maps; each pending request guards its own state.
 */
final class NodeRouter implements ClusterRouter {

    private static final Logger log = LoggerFactory.getLogger(NodeRouter.class);

    private final LocalRouter local;
    private final Backplane backplane;
    private final String nodeId;
    private final MessageCodec codec = MessageCodec.standard();
    private final AtomicLong requestIds = new AtomicLong(1);
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private final Map<String, RequestHandler> handlers = new ConcurrentHashMap<>();
    private final AtomicLong malformed = new AtomicLong();
    private final Backplane.Receiver receiver = new Receiver();

    NodeRouter(LocalRouter local, Backplane backplane, String nodeId) {
        this.local = local;
        this.backplane = Objects.requireNonNull(backplane, "backplane");
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
    }

    // ---- this node's subscriptions: the local router's ----

    @Override
    public void subscribe(String space, String room, Subscriber subscriber) {
        local.subscribe(space, room, subscriber);
    }

    @Override
    public void attach(String space, Subscriber subscriber) {
        local.attach(space, subscriber);
    }

    @Override
    public void unsubscribe(String space, String room, Subscriber subscriber) {
        local.unsubscribe(space, room, subscriber);
    }

    @Override
    public void subscribePattern(String space, String filter, Subscriber subscriber) {
        local.subscribePattern(space, filter, subscriber);
    }

    @Override
    public void unsubscribePattern(String space, String filter, Subscriber subscriber) {
        local.unsubscribePattern(space, filter, subscriber);
    }

    @Override
    public Set<String> patternsOf(String space, Subscriber subscriber) {
        return local.patternsOf(space, subscriber);
    }

    @Override
    public void detach(String space, Subscriber subscriber) {
        local.detach(space, subscriber);
    }

    @Override
    public Set<String> roomsOf(String space, Subscriber subscriber) {
        return local.roomsOf(space, subscriber);
    }

    @Override
    public Set<String> rooms(String space) {
        return local.rooms(space);
    }

    @Override
    public void register(WireFormat format, MessageRenderer renderer) {
        local.register(format, renderer);
    }

    @Override
    public Set<Subscriber> resolve(Message message) {
        return local.resolve(message);
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    @Override
    public Backplane backplane() {
        return backplane;
    }

    @Override
    public Backplane.Receiver receiver() {
        return receiver;
    }

    @Override
    public long malformedFrames() {
        return malformed.get();
    }

    // ---- publishing ----

    @Override
    public CompletionStage<Integer> publish(Message message) {
        CompletionStage<Integer> delivered = local.publish(message);
        if (!message.local() && !backplane.peers().isEmpty()) {
            send(null, Envelope.Type.BROADCAST, 0, 0, stamped(message));
        }
        return delivered;
    }

    @Override
    public CompletionStage<AckResult> publishWithAck(Message message, Duration timeout) {
        Set<String> peers = message.local() ? Set.of() : backplane.peers();
        AckCollector acks = new AckCollector(local.nextAckId(), timeout, 1 + peers.size());
        if (!peers.isEmpty()) {
            long id = requestIds.getAndIncrement();
            pending.put(id, new PendingAcks(peers, acks));
            acks.result().whenComplete((r, e) -> pending.remove(id));
            send(null, Envelope.Type.BROADCAST, id, Math.max(1, timeout.toMillis()), stamped(message));
        }
        acks.nodeCount(local.deliverWithAck(message, acks));
        return acks.result();
    }

    @Override
    public CompletionStage<RequestResult> request(RequestType type, Message request, Duration timeout) {
        if (timeout != null && !type.mayReply()) {
            throw new IllegalArgumentException(type + " has no reply to wait for");
        }
        Set<String> peers = backplane.peers();
        if (peers.isEmpty()) {
            return CompletableFuture.completedFuture(new RequestResult(List.of(), 0, true));
        }
        if (timeout == null) {
            send(null, Envelope.Type.of(type), 0, 0, stamped(request));
            return CompletableFuture.completedFuture(new RequestResult(List.of(), peers.size(), true));
        }
        long id = requestIds.getAndIncrement();
        PendingReplies replies = new PendingReplies(peers, timeout);
        pending.put(id, replies);
        replies.result.whenComplete((r, e) -> pending.remove(id));
        send(null, Envelope.Type.of(type), id, 0, stamped(request));
        return replies.result;
    }

    @Override
    public void handle(String space, RequestHandler handler) {
        handlers.put(Objects.requireNonNull(space, "space"), Objects.requireNonNull(handler, "handler"));
    }

    /** The message with this node as its origin when it has none (what other nodes see). */
    private Message stamped(Message m) {
        return m.originNode().isEmpty() ? m.toBuilder().origin(nodeId, m.originProtocol()).build() : m;
    }

    /** Encodes and sends to {@code to}, or to every other node when null. Never throws. */
    private void send(String to, Envelope.Type type, long requestId, long number, Message message) {
        byte[] body;
        try {
            body = codec.encode(message);
        } catch (RuntimeException e) {
            log.warn("message {} of space {} not sent to other nodes: {}", message.id(), message.space(), e.toString());
            return;
        }
        sendRaw(to, new Envelope(type, requestId, number, body));
    }

    private void sendRaw(String to, Envelope envelope) {
        try {
            byte[] frame = envelope.encode();
            if (to == null) {
                backplane.broadcast(frame);
            } else {
                backplane.send(to, frame);
            }
        } catch (RuntimeException e) {
            log.warn("backplane refused a {} envelope: {}", envelope.type(), e.toString());
        }
    }

    // ---- what other nodes send ----

    private final class Receiver implements Backplane.Receiver {

        @Override
        public void receive(String fromNode, byte[] frame) {
            try {
                Envelope e = Envelope.decode(frame);
                switch (e.type()) {
                    case BROADCAST -> onBroadcast(fromNode, e);
                    case BROADCAST_CLIENT_COUNT -> {
                        Pending p = pending.get(e.requestId());
                        if (p != null) {
                            p.count(fromNode, (int) Math.min(Integer.MAX_VALUE, e.number()));
                        }
                    }
                    case BROADCAST_ACK, FETCH_SOCKETS_RESPONSE, SERVER_SIDE_EMIT_RESPONSE -> {
                        Pending p = pending.get(e.requestId());
                        if (p != null) {
                            p.reply(fromNode, e.body().length == 0 ? null : e.body());
                        }
                    }
                    default -> onRequest(fromNode, e);
                }
            } catch (MessageFormatException ex) {
                malformed.incrementAndGet();
                log.warn("dropped a malformed frame from node {}: {}", fromNode, ex.getMessage());
            } catch (RuntimeException ex) {
                log.warn("frame from node {} failed: {}", fromNode, ex.toString());
            }
        }

        @Override
        public void peerLeft(String nodeId) {
            for (Pending p : pending.values()) {
                p.gone(nodeId);
            }
        }

        @Override
        public void failed(Throwable cause) {
            // The supervisor's to handle (the node's component reports it); pending requests end at their timeout.
        }
    }

    private void onBroadcast(String from, Envelope e) throws MessageFormatException {
        Message m = codec.decode(e.body());
        if (e.requestId() == 0) {
            RequestHandler h = handlers.get(m.space());
            if (h != null) {
                try {
                    h.arrived(m);
                } catch (RuntimeException ex) {
                    log.warn("handler of space {} failed on broadcast {} from node {}: {}", m.space(), m.id(), from, ex.toString());
                }
            }
            local.publish(m);
            return;
        }
        RemoteAcks sink = new RemoteAcks(local.nextAckId(), from, e.requestId(), e.number());
        int n = local.deliverWithAck(m, sink);
        sendRaw(from, new Envelope(Envelope.Type.BROADCAST_CLIENT_COUNT, e.requestId(), n, new byte[0]));
    }

    private void onRequest(String from, Envelope e) throws MessageFormatException {
        RequestType type = e.type().request();
        Message m = codec.decode(e.body());
        boolean replyWanted = e.requestId() != 0;
        RequestHandler h = handlers.get(m.space());
        if (h == null) {
            // The space does not exist here: nothing to do, and an empty reply so nobody waits for us.
            if (replyWanted) {
                sendRaw(from, new Envelope(e.type().response(), e.requestId(), 0, new byte[0]));
            }
            return;
        }
        CompletionStage<byte[]> reply;
        try {
            reply = h.handle(type, m, replyWanted);
        } catch (RuntimeException ex) {
            log.warn("handler of space {} failed a {} request from node {}: {}", m.space(), type, from, ex.toString());
            reply = CompletableFuture.completedFuture(null);
        }
        if (replyWanted) {
            reply.whenComplete((bytes, err) -> sendRaw(from, new Envelope(e.type().response(), e.requestId(), 0,
                    err != null || bytes == null ? new byte[0] : bytes)));
        }
    }

    /** This node's share of another node's broadcast with acks: answers go back to the requester. */
    private final class RemoteAcks implements AckSink {
        private final long ackId;
        private final String requester;
        private final long requestId;
        private final long deadlineNanos;

        RemoteAcks(long ackId, String requester, long requestId, long timeoutMillis) {
            this.ackId = ackId;
            this.requester = requester;
            this.requestId = requestId;
            this.deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        }

        @Override
        public long ackId() {
            return ackId;
        }

        @Override
        public void acknowledged(byte[] response) {
            if (remainingMillis() > 0) {
                sendRaw(requester, new Envelope(Envelope.Type.BROADCAST_ACK, requestId, 0,
                        response == null ? new byte[0] : response));
            }
        }

        @Override
        public long remainingMillis() {
            return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
        }
    }

    /** A request of this node waiting for other nodes. */
    private interface Pending {
        void count(String node, int n);

        void reply(String node, byte[] body);

        void gone(String node);
    }

    /** Counts and answers of a broadcast with acks, into its {@link AckCollector}. */
    private static final class PendingAcks implements Pending {
        private final Set<String> awaiting;
        private final AckCollector acks;

        PendingAcks(Set<String> peers, AckCollector acks) {
            this.awaiting = ConcurrentHashMap.newKeySet();
            this.awaiting.addAll(peers);
            this.acks = acks;
        }

        @Override
        public void count(String node, int n) {
            if (awaiting.remove(node)) {
                acks.nodeCount(n);
            }
        }

        @Override
        public void reply(String node, byte[] body) {
            acks.acknowledged(body);
        }

        @Override
        public void gone(String node) {
            if (awaiting.remove(node)) {
                acks.nodeGone();
            }
        }
    }

    /** One reply per node asked, or the timeout. */
    private static final class PendingReplies implements Pending {
        final CompletableFuture<RequestResult> result = new CompletableFuture<>();
        /** @GuardedBy this */
        private final Set<String> awaiting;
        private final int expected;
        /** @GuardedBy this */
        private final List<byte[]> replies = new ArrayList<>();
        private final ScheduledFuture<?> timer;

        PendingReplies(Set<String> peers, Duration timeout) {
            this.awaiting = new HashSet<>(peers);
            this.expected = peers.size();
            this.timer = GlobalEventExecutor.INSTANCE.schedule(this::expire, timeout.toNanos(), TimeUnit.NANOSECONDS);
        }

        @Override
        public void count(String node, int n) {}

        @Override
        public synchronized void reply(String node, byte[] body) {
            if (awaiting.remove(node)) {
                replies.add(body);
                completeIfDone();
            }
        }

        @Override
        public synchronized void gone(String node) {
            if (awaiting.remove(node)) {
                completeIfDone();
            }
        }

        private void completeIfDone() {
            if (awaiting.isEmpty()) {
                timer.cancel(false);
                result.complete(new RequestResult(replies, expected, true));
            }
        }

        private synchronized void expire() {
            result.complete(new RequestResult(replies, expected, false));
        }
    }
}
