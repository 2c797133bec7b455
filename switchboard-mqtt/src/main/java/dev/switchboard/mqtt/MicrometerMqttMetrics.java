package dev.switchboard.mqtt;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/** {@link MqttMetrics} on Micrometer; counters resolved once, so the hot path only increments. */
final class MicrometerMqttMetrics implements MqttMetrics {

    private final MeterRegistry registry;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger subscriptions = new AtomicInteger();
    private final Counter[] in = new Counter[3];
    private final Counter[] out = new Counter[3];

    MicrometerMqttMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("switchboard.mqtt.connections", connections, AtomicInteger::get)
                .description("MQTT connections past CONNECT").register(registry);
        Gauge.builder("switchboard.mqtt.subscriptions", subscriptions, AtomicInteger::get)
                .description("MQTT subscriptions of live sessions, online or offline").register(registry);
        for (int q = 0; q < 3; q++) {
            in[q] = Counter.builder("switchboard.mqtt.messages").tag("direction", "in").tag("qos", "" + q)
                    .register(registry);
            out[q] = Counter.builder("switchboard.mqtt.messages").tag("direction", "out").tag("qos", "" + q)
                    .register(registry);
        }
    }

    @Override
    public void connections(int delta) {
        connections.addAndGet(delta);
    }

    @Override
    public void subscriptions(int delta) {
        subscriptions.addAndGet(delta);
    }

    @Override
    public void messageIn(int qos) {
        in[qos].increment();
    }

    @Override
    public void messageOut(int qos) {
        out[qos].increment();
    }

    @Override
    public void dropped(String reason) {
        registry.counter("switchboard.mqtt.dropped", "reason", reason).increment();
    }

    @Override
    public void sessionsSource(IntSupplier online, IntSupplier offline) {
        Gauge.builder("switchboard.mqtt.sessions", online, IntSupplier::getAsInt).tag("state", "online")
                .description("MQTT sessions with a connected client").register(registry);
        Gauge.builder("switchboard.mqtt.sessions", offline, IntSupplier::getAsInt).tag("state", "offline")
                .description("persistent MQTT sessions whose client is away").register(registry);
    }

    @Override
    public void retainedSource(IntSupplier count) {
        Gauge.builder("switchboard.mqtt.retained", count, IntSupplier::getAsInt)
                .description("retained MQTT messages").register(registry);
    }
}
