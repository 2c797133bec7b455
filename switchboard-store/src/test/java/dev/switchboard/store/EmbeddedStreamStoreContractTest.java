package dev.switchboard.store;

import dev.switchboard.core.spi.RetentionPolicy;
import dev.switchboard.core.spi.StreamStore;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;

/** The shared stream store contract on the embedded store; its own specifics are in {@link SpiContractTest}. */
class EmbeddedStreamStoreContractTest extends StreamStoreContract {

    @TempDir
    Path dir;

    private final AtomicInteger stores = new AtomicInteger();

    @Override
    protected StreamStore openEmptyStore() {
        return EmbeddedStore.open(StoreConfig.newBuilder(dir.resolve("store-" + stores.incrementAndGet()))
                .retention(RetentionPolicy.unlimited()).build());
    }
}
