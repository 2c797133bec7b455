package dev.switchboard.bench.harness;

import java.time.Duration;

/**
 * Sizes and durations of one benchmark run. Every server gets the same profile, one after another.
 *
 * @param name             {@code quick} or {@code large}
 * @param idleConnections  scenario 1: connections held idle, each in one room
 * @param connectRate      connect attempts per second while building up connections
 * @param idleWindow       scenario 1: how long CPU time is sampled while connections are idle
 * @param fanoutSubscribers scenario 2: subscribers of the one room
 * @param fanoutRate       scenario 2: broadcasts per second in the fixed-rate phase
 * @param fanoutWindow     scenario 2: measured duration of each phase
 * @param fanoutInFlight   scenario 2: unthrottled phase: broadcasts not yet echoed to the publisher
 * @param roomClients      scenario 3: clients, in {@code roomClients / 10} rooms
 * @param roomsRate        scenario 3: broadcasts per second, spread round-robin over the rooms
 * @param ackClients       scenario 4: clients sending {@code message-with-ack}
 * @param ackInFlight      scenario 4: outstanding requests per client (closed loop)
 * @param ackWindow        scenario 4: measured duration
 * @param stormAttempts    scenario 5: connection attempts per transport
 * @param stormInFlight    scenario 5: handshakes at once
 * @param stormWindow      scenario 5: bound on each storm
 * @param payloadBytes     size of each event payload object
 * @param budget           hard bound of the whole run; past it the harness stops every process and exits
 * @param idleWarmup       scenario 1: time from the end of the connect burst to the warm CPU window, so
 *                         that JIT compilation and class loading of the connection path are over
 */
public record Profile(String name, int idleConnections, double connectRate, Duration idleWindow,
                      int fanoutSubscribers, double fanoutRate, Duration fanoutWindow, int fanoutInFlight,
                      int roomClients, double roomsRate, int ackClients, int ackInFlight, Duration ackWindow,
                      int stormAttempts, int stormInFlight, Duration stormWindow, int payloadBytes,
                      Duration budget, Duration idleWarmup) {

    /** All scenarios, every server, small N: well under ten minutes on a 2-core machine. */
    public static Profile quick() {
        return new Profile("quick", 2_000, 1_000, Duration.ofSeconds(12),
                500, 20, Duration.ofSeconds(5), 16,
                1_000, 100, 50, 8, Duration.ofSeconds(5),
                2_000, 32, Duration.ofSeconds(5), 100,
                Duration.ofMinutes(13), Duration.ofSeconds(60));
    }

    /** 100k+ idle connections, 10k+ subscribers in one room; stops at the first limit it meets. */
    public static Profile large() {
        return new Profile("large", 100_000, 2_000, Duration.ofSeconds(30),
                10_000, 10, Duration.ofSeconds(10), 4,
                20_000, 200, 200, 8, Duration.ofSeconds(10),
                20_000, 64, Duration.ofSeconds(15), 100,
                Duration.ofMinutes(48), Duration.ofSeconds(60));
    }

    public static Profile named(String name) {
        return switch (name) {
            case "quick" -> quick();
            case "large" -> large();
            default -> throw new IllegalArgumentException("unknown profile '" + name + "' (quick, large)");
        };
    }
}
