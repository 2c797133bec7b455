package dev.switchboard.core.bridge;

import com.typesafe.config.Config;
import dev.switchboard.core.node.SupervisionPolicy;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Creates bridges of one {@link #type()} from configuration; found with {@link java.util.ServiceLoader}
 * ({@code META-INF/services/dev.switchboard.core.bridge.BridgeFactory}), so a bridge module on the class
 * path is usable from the server's configuration ({@code switchboard.bridges}) without code.
 */
public interface BridgeFactory {

    /** The value of {@code type} in the configuration, e.g. {@code kafka}. */
    String type();

    /**
     * A new, not yet started bridge.
     *
     * @param options the bridge's {@code options} object (empty when absent)
     * @throws IllegalArgumentException when an option is missing or wrong (the message names it)
     */
    Bridge create(String name, Config options);

    /**
     * {@link #create(String, Config)} for a node whose meters go to {@code registry}: a bridge that counts
     * more than {@link BridgeMetrics} does (per rule, per partition) registers its meters there.
     */
    default Bridge create(String name, Config options, MeterRegistry registry) {
        return create(name, options);
    }

    /**
     * How bridges of this type are supervised unless configured otherwise: a bridge to a broker that may be
     * away for long keeps reconnecting instead of giving up after a few restarts.
     */
    default SupervisionPolicy supervision() {
        return SupervisionPolicy.restartWithBackoff();
    }
}
