package dev.switchboard.core.bridge;

import com.typesafe.config.Config;

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
}
