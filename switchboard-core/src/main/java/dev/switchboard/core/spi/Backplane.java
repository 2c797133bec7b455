package dev.switchboard.core.spi;

import java.util.Set;

/**
 * Carries frames between the nodes of a cluster (an in-JVM hub for tests; Pekko Cluster, Kafka or
 * RabbitMQ later). The router is its only user: it encodes what crosses nodes (routing envelopes around
 * {@code MessageCodec} bytes) and gives the backplane opaque frames. Delivery is at most once, in order
 * per sending node; a frame never comes back to the node that sent it.
 *
 * <p>Lifecycle: the node runs it as a supervised component ({@code backplane} in its health): the
 * supervisor calls {@link #start} (again after each failure, following a {@link #stop}), and
 * {@link #stop} when the node closes. Sends while not started are dropped.
 *
 * <p>Threading: {@link #broadcast}, {@link #send} and {@link #peers} may be called from any thread,
 * event loops included, and must not block. {@link Receiver} callbacks come on the backplane's own
 * thread(s), one at a time per sending node.
 */
public interface Backplane {

    /**
     * Joins the cluster as {@code nodeId}; from now on frames from other nodes go to {@code receiver}.
     * Throwing counts as a failed start (the supervisor retries with backoff).
     */
    void start(String nodeId, Receiver receiver) throws Exception;

    /** Sends {@code frame} to every other node; returns at once. */
    void broadcast(byte[] frame);

    /** Sends {@code frame} to one node (a reply); dropped if that node is not reachable. */
    void send(String nodeId, byte[] frame);

    /** The other nodes reachable now: the responders a request waits for. A snapshot. */
    Set<String> peers();

    /** Leaves the cluster; no receiver call after it returns. Idempotent. */
    void stop();

    /** Where a backplane hands what arrives. */
    interface Receiver {

        /** A frame from {@code fromNode}. */
        void receive(String fromNode, byte[] frame);

        /** {@code nodeId} left (or was lost): nothing more will come from it, and it will answer nothing. */
        void peerLeft(String nodeId);

        /** The backplane broke after starting (a lost connection): its supervisor restarts it. */
        void failed(Throwable cause);
    }

    /** The backplane of a node that runs alone: no peers, sends nowhere, receives nothing. */
    Backplane NONE = new Backplane() {
        @Override
        public void start(String nodeId, Receiver receiver) {}

        @Override
        public void broadcast(byte[] frame) {}

        @Override
        public void send(String nodeId, byte[] frame) {}

        @Override
        public Set<String> peers() {
            return Set.of();
        }

        @Override
        public void stop() {}

        @Override
        public String toString() {
            return "Backplane.NONE";
        }
    };
}
