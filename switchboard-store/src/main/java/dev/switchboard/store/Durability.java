package dev.switchboard.store;

/**
 * When a write is acknowledged (the append or enqueue stage completes), in the vocabulary of Kafka
 * ({@code acks} + {@code flush.messages}) and RabbitMQ (publisher confirms after fsync).
 */
public enum Durability {

    /**
     * Acknowledge once the write-ahead log record has been handed to the operating system
     * ({@code write(2)}, no fsync). Survives a crash of the process (kill -9, OOM) but not of the
     * machine. Kafka's default: it relies on replication, not fsync, and so do we on one node.
     */
    OS,

    /**
     * Acknowledge only after the write-ahead log is fsynced. Appends are group-committed: one writer
     * thread gathers every pending write into one batch and one {@code fsync}, so the cost of a
     * disk flush is shared by all the messages that arrived while the previous flush ran.
     */
    FSYNC
}
