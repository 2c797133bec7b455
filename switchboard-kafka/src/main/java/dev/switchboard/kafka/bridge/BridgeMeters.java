package dev.switchboard.kafka.bridge;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Kafka bridge's meters per rule, next to the generic {@code switchboard.bridge.*} ones:
 * inbound rules (tags {@code bridge}, {@code topic}, {@code group}): {@code switchboard.kafka.bridge.consumed}
 * (records polled), {@code .delivered} (accepted by the fabric), {@code .duplicates} (suppressed by the
 * window), {@code .dead.lettered} (by {@code reason}), gauges {@code .lag} (by {@code partition}: records
 * of the partition not yet committed) and {@code .queued} (records taken from Kafka, not yet published);
 * outbound rules (tags {@code bridge}, {@code topic}, {@code event}): the timer {@code .produce} (send to
 * Kafka's acknowledgement, with a histogram) and {@code .produce.failed}. Thread-safe.
 */
final class BridgeMeters {

    private final MeterRegistry registry;
    private final String bridge;

    BridgeMeters(MeterRegistry registry, String bridge) {
        this.registry = registry;
        this.bridge = bridge;
    }

    /** The meters of one inbound rule. */
    final class In {
        final Counter consumed;
        final Counter delivered;
        final Counter duplicates;
        final AtomicLong queued = new AtomicLong();
        private final InboundRule rule;
        private final Map<Integer, AtomicLong> lag = new ConcurrentHashMap<>();
        private final Map<String, Counter> deadLettered = new ConcurrentHashMap<>();

        In(InboundRule rule) {
            this.rule = rule;
            consumed = counter("switchboard.kafka.bridge.consumed", "records polled from the topic");
            delivered = counter("switchboard.kafka.bridge.delivered", "records accepted by the fabric (stored first for durable rooms)");
            duplicates = counter("switchboard.kafka.bridge.duplicates", "redelivered records not published again (same message id)");
            Gauge.builder("switchboard.kafka.bridge.queued", queued, AtomicLong::get)
                    .description("records taken from Kafka and not yet published").tag("bridge", bridge)
                    .tag("topic", rule.topic()).tag("group", rule.group()).strongReference(true).register(registry);
        }

        private Counter counter(String name, String description) {
            return Counter.builder(name).description(description).tag("bridge", bridge).tag("topic", rule.topic())
                    .tag("group", rule.group()).register(registry);
        }

        void deadLettered(RecordMapper.Reason reason) {
            deadLettered.computeIfAbsent(reason.text, r -> Counter.builder("switchboard.kafka.bridge.dead.lettered")
                    .description("records that could not be mapped, sent to the dead-letter topic (or dropped without one)")
                    .tag("bridge", bridge).tag("topic", rule.topic()).tag("group", rule.group()).tag("reason", r)
                    .register(registry)).increment();
        }

        /** The lag cell of a partition; its gauge is registered on first use. */
        AtomicLong lag(int partition) {
            return lag.computeIfAbsent(partition, p -> {
                AtomicLong cell = new AtomicLong();
                Gauge.builder("switchboard.kafka.bridge.lag", cell, AtomicLong::get)
                        .description("records of the partition not yet committed by the rule's group")
                        .tag("bridge", bridge).tag("topic", rule.topic()).tag("group", rule.group())
                        .tag("partition", Integer.toString(p)).strongReference(true).register(registry);
                return cell;
            });
        }
    }

    /** The meters of one outbound rule. */
    final class Out {
        final Timer produce;
        final Counter failed;

        Out(OutboundRule rule) {
            produce = Timer.builder("switchboard.kafka.bridge.produce")
                    .description("time from handing a record to the producer to Kafka's acknowledgement (acks=all)")
                    .tag("bridge", bridge).tag("topic", rule.topic()).tag("event", rule.event())
                    .publishPercentileHistogram().register(registry);
            failed = Counter.builder("switchboard.kafka.bridge.produce.failed")
                    .description("records Kafka did not acknowledge (error or timeout)")
                    .tag("bridge", bridge).tag("topic", rule.topic()).tag("event", rule.event()).register(registry);
        }
    }

    In in(InboundRule rule) {
        return new In(rule);
    }

    Out out(OutboundRule rule) {
        return new Out(rule);
    }
}
