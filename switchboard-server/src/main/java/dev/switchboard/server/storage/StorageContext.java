package dev.switchboard.server.storage;

import dev.switchboard.server.durable.DurableSettings;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;

/**
 * What a storage plane is made from.
 *
 * @param dataDir  the server's data directory (held under its lock)
 * @param settings durability, retention and inbox options ({@code switchboard.durable}, {@code switchboard.inbox})
 * @param kafka    where the Kafka plane's brokers are ({@code switchboard.kafka})
 * @param registry where the plane's meters go
 */
public record StorageContext(Path dataDir, DurableSettings settings, KafkaSettings kafka, MeterRegistry registry) {}
