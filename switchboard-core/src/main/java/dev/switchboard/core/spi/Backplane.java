package dev.switchboard.core.spi;

import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * Carries publications between the nodes of a cluster (Pekko Cluster, Kafka or RabbitMQ behind it).
 * Messages are opaque envelopes the protocol layer encodes (the publication's routing and payload);
 * delivery is at most once, in order per sending node. A single node uses {@link #NONE}.
 */
public interface Backplane extends AutoCloseable {

    /** Sends the envelope to every other node; completes when handed to the transport. */
    CompletionStage<Void> broadcast(byte[] envelope);

    /** Registers the receiver of envelopes from other nodes (never this node's own). */
    void onReceive(Consumer<byte[]> receiver);

    @Override
    void close();

    /** The backplane of a node that runs alone: sends nowhere, receives nothing. */
    Backplane NONE = new Backplane() {
        @Override
        public CompletionStage<Void> broadcast(byte[] envelope) {
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        }

        @Override
        public void onReceive(Consumer<byte[]> receiver) {}

        @Override
        public void close() {}
    };
}
