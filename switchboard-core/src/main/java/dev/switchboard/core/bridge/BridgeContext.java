package dev.switchboard.core.bridge;

/** What one incarnation of a {@link Bridge} gets from its runtime. Thread-safe. */
public interface BridgeContext {

    /** The bridge's configured name (its component in health is {@code bridge-<name>}). */
    String name();

    /** 1 for the first start, one more per restart. */
    int incarnation();

    /** Where records from outside enter the fabric; valid until this incarnation stops. */
    Inbound inbound();

    /**
     * Reports that this incarnation failed (a lost connection): the supervisor stops it and starts it again
     * with backoff. Callable from any thread; a report from a replaced incarnation is ignored.
     */
    void fail(Throwable cause);
}
