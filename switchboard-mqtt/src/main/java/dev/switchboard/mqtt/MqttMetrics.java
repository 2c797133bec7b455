package dev.switchboard.mqtt;

import io.micrometer.core.instrument.MeterRegistry;

/**
 * What the gateway reports. Called from event loops: implementations must be thread-safe and cheap.
 * {@link #micrometer} names: {@code switchboard.mqtt.connections}, {@code .subscriptions},
 * {@code .retained} (gauges), {@code .messages{direction=in|out,qos=0|1|2}}, {@code .dropped{reason=..}}.
 */
public interface MqttMetrics {

    /** A connection completed CONNECT (+1) or an accepted one ended (-1). */
    void connections(int delta);

    /** Subscriptions added (+) or removed (-). */
    void subscriptions(int delta);

    /** A PUBLISH received from a client. */
    void messageIn(int qos);

    /** A PUBLISH sent to a client. */
    void messageOut(int qos);

    /**
     * A publication not delivered, or a connection ended for overload: {@code slow_subscriber} (its queue
     * past {@link MqttConfig#maxQueued()}), {@code not_writable} (QoS 0 to a connection past its write
     * watermark), {@code too_large} (over the client's Maximum Packet Size), {@code retained_full},
     * {@code offline_queue_full} (an offline session's store queue at {@link MqttConfig#maxQueued()}: the new
     * publication or the oldest, per {@link MqttConfig#queueOverflow()}), {@code store_failed} (the store
     * refused to queue it).
     */
    void dropped(String reason);

    /** Gauge sources for sessions with a connected client and persistent sessions whose client is away. */
    default void sessionsSource(java.util.function.IntSupplier online, java.util.function.IntSupplier offline) {}

    /** Gauge source for the retained count. */
    default void retainedSource(java.util.function.IntSupplier count) {}

    MqttMetrics NONE = new MqttMetrics() {
        @Override
        public void connections(int delta) {}

        @Override
        public void subscriptions(int delta) {}

        @Override
        public void messageIn(int qos) {}

        @Override
        public void messageOut(int qos) {}

        @Override
        public void dropped(String reason) {}
    };

    static MqttMetrics micrometer(MeterRegistry registry) {
        return new MicrometerMqttMetrics(registry);
    }
}
