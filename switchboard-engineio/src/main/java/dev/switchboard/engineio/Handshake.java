package dev.switchboard.engineio;

import io.netty.handler.codec.http.HttpHeaders;
import java.net.SocketAddress;
import java.util.Map;
import java.util.Objects;

/**
 * The request that opened a session, as the layer above sees it (socket.io's {@code handshake}).
 *
 * @param headers       a read-only copy of the request headers (case-insensitive lookup)
 * @param query         query parameters; for a repeated name, the last value (as URLSearchParams
 *                      entries folded into an object do in Node)
 * @param remoteAddress the peer's address
 * @param secure        whether the connection is TLS
 * @param issuedEpochMs when the handshake was accepted, milliseconds since the epoch
 * @param url           the request target (path and query) as received
 */
public record Handshake(
        HttpHeaders headers,
        Map<String, String> query,
        SocketAddress remoteAddress,
        boolean secure,
        long issuedEpochMs,
        String url) {

    public Handshake {
        Objects.requireNonNull(headers, "headers");
        query = Map.copyOf(query);
        Objects.requireNonNull(url, "url");
    }

    /** A header value, or {@code null}. */
    public String header(String name) {
        return headers.get(name);
    }
}
