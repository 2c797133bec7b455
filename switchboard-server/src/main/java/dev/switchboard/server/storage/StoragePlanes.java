package dev.switchboard.server.storage;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The storage planes this server knows, by the value of {@code switchboard.store}. Adding one (Kafka
 * streams with RabbitMQ queues, say) is one {@link StoragePlane.Factory} in {@link #FACTORIES}.
 */
public final class StoragePlanes {

    private static final List<StoragePlane.Factory> FACTORIES = List.of(new EmbeddedStorage.Factory(), new KafkaStorage.Factory());

    private static final Map<String, StoragePlane.Factory> BY_NAME =
            FACTORIES.stream().collect(Collectors.toUnmodifiableMap(StoragePlane.Factory::name, Function.identity()));

    private StoragePlanes() {}

    /** The accepted values of {@code switchboard.store}, for validation messages. */
    public static List<String> names() {
        return FACTORIES.stream().map(StoragePlane.Factory::name).toList();
    }

    /** The factory named {@code name}, or null. */
    public static StoragePlane.Factory named(String name) {
        return BY_NAME.get(name);
    }
}
