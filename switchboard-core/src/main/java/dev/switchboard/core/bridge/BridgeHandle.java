package dev.switchboard.core.bridge;

import dev.switchboard.core.message.Message;
import dev.switchboard.core.message.MessageId;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/** A running bridge, as {@link Bridges#start} returns it. Thread-safe. */
public interface BridgeHandle extends AutoCloseable {

    String name();

    BridgeConfig config();

    /** Its component name in the node's health: {@code bridge-<name>}. */
    String componentName();

    /**
     * Sends a message out through the bridge (a client event routed to it): the stage completes when the
     * external system confirmed it; it fails with {@link OutboundFullException} when the outbound window is
     * full, {@link BridgeStoppedException} while the bridge is not running,
     * {@link java.util.concurrent.TimeoutException} past {@link BridgeConfig#outboundTimeout()}, or the
     * bridge's own error. Never blocks.
     */
    CompletionStage<Void> send(Message message);

    /** {@link #send}, completing with the bridge's receipt ({@link Bridge#sendWithReceipt}). */
    CompletionStage<Map<String, Object>> sendWithReceipt(Message message);

    /**
     * Completes when this bridge has confirmed the fabric message {@code id}, one of its outbound rules'
     * published after this call: for a publisher that answers its client only once the external system
     * holds the message. Fails as {@link #send} does, and with a {@link java.util.concurrent.TimeoutException}
     * when no such message reached the bridge within {@link BridgeConfig#outboundTimeout()}. At most
     * {@link BridgeConfig#outboundMaxInFlight()} watches at once; past that it fails with
     * {@link OutboundFullException}. Never blocks.
     */
    CompletionStage<Void> confirmation(MessageId id);

    /** Inbound messages in flight in the running incarnation (0 while stopped). */
    int inboundInFlight();

    /** Outbound sends awaiting confirmation. */
    int outboundInFlight();

    /** Stops the bridge, removes its outbound subscriptions and its component. Idempotent. */
    @Override
    void close();
}
