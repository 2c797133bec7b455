package dev.switchboard.socketio;

/**
 * How many event packets and bytes one client connection may send per second
 * ({@link SocketIoConfig.Builder#packetRateLimit}). Counted per Engine.IO connection over fixed one-second
 * windows, every namespace of the connection together. Within a window:
 * <ul>
 *   <li>up to the limit: events are delivered;</li>
 *   <li>past it: each further event is dropped, answered with an error ack
 *       {@code {"error": {"message": "rate limit exceeded"}}} when the client asked for one, and counted
 *       ({@link SocketIoMetrics#packetDropped});</li>
 *   <li>past twice the limit: the connection is closed ({@code forced server close}).</li>
 * </ul>
 * Only EVENT and BINARY_EVENT packets count as packets; every byte received counts as bytes. Zero turns
 * a bound off.
 *
 * @param packetsPerSecond event packets per second; 0: no bound
 * @param bytesPerSecond   bytes per second (Engine.IO message payloads); 0: no bound
 */
public record PacketRateLimit(int packetsPerSecond, long bytesPerSecond) {

    public static final PacketRateLimit OFF = new PacketRateLimit(0, 0);

    public PacketRateLimit {
        if (packetsPerSecond < 0 || bytesPerSecond < 0) {
            throw new IllegalArgumentException("rates must be >= 0 (0: off), were " + packetsPerSecond + " packets/s, "
                    + bytesPerSecond + " bytes/s");
        }
    }

    public boolean enabled() {
        return packetsPerSecond > 0 || bytesPerSecond > 0;
    }
}
