package dev.switchboard.server.limits;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.switchboard.server.config.ConfigProblem;
import dev.switchboard.socketio.PacketRateLimit;
import dev.switchboard.transport.ConnectionLimits;
import java.time.Duration;

/**
 * The abuse limits of {@code switchboard.limits} (documented with their defaults in
 * {@code switchboard-reference.conf} and {@code docs/security.md}). Zero turns a limit off.
 */
public record LimitSettings(Duration requestHeadTimeout, Duration requestBodyTimeout, int maxConnections,
                            int maxConnectionsPerIp, int handshakesPerIpPerSecond, int packetsPerSecond,
                            long bytesPerSecond) {

    public static LimitSettings defaults() {
        return new LimitSettings(Duration.ofSeconds(10), Duration.ofSeconds(30), 100_000, 1_000, 20, 500, 5_000_000);
    }

    public ConnectionLimits connectionLimits() {
        return ConnectionLimits.builder()
                .requestHeadTimeout(requestHeadTimeout)
                .requestBodyTimeout(requestBodyTimeout)
                .maxConnections(maxConnections)
                .maxConnectionsPerAddress(maxConnectionsPerIp)
                .exemptLoopback(true)
                .build();
    }

    public PacketRateLimit packetRateLimit() {
        return new PacketRateLimit(packetsPerSecond, bytesPerSecond);
    }

    public static LimitSettings read(Config c) throws ConfigProblem {
        return new LimitSettings(
                duration(c, "switchboard.limits.request-head-timeout"),
                duration(c, "switchboard.limits.request-body-timeout"),
                (int) count(c, "switchboard.limits.max-connections", Integer.MAX_VALUE),
                (int) count(c, "switchboard.limits.max-connections-per-ip", Integer.MAX_VALUE),
                (int) count(c, "switchboard.limits.handshakes-per-ip-per-second", 1_000_000),
                (int) count(c, "switchboard.limits.packets-per-second", 1_000_000),
                count(c, "switchboard.limits.bytes-per-second", Long.MAX_VALUE));
    }

    private static Duration duration(Config c, String path) throws ConfigProblem {
        try {
            Duration d = c.getDuration(path);
            if (d.isNegative()) {
                throw new ConfigProblem(path + ": must be zero (off) or more, found " + d);
            }
            return d;
        } catch (ConfigException e) {
            throw new ConfigProblem(path + ": expected a duration such as 500ms, 10s or 2m");
        }
    }

    private static long count(Config c, String path, long max) throws ConfigProblem {
        long v;
        try {
            v = c.getLong(path);
        } catch (ConfigException e) {
            throw new ConfigProblem(path + ": expected a whole number (0: no limit)");
        }
        if (v < 0 || v > max) {
            throw new ConfigProblem(path + ": must be between 0 (no limit) and " + max + ", found " + v);
        }
        return v;
    }
}
