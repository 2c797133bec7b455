package dev.switchboard.bench.store;

/**
 * One measured run: messages per second over the measured window and the latency from submit to
 * acknowledgement (NaN when the tool does not report it).
 *
 * @param system   what ran ("switchboard", "kafka", "rabbitmq", "append-only log")
 * @param scenario what was measured ("publish OS", "publish FSYNC", "replay", "inbox")
 */
record Measurement(String system, String scenario, long messages, double seconds, int messageBytes,
                   double p50Micros, double p99Micros, String notes) {

    double perSecond() {
        return messages / seconds;
    }

    double megabytesPerSecond() {
        return perSecond() * messageBytes / (1024.0 * 1024.0);
    }
}
