package dev.switchboard.socketio;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.Map;
import java.util.Objects;

/**
 * The details of a socket's connection, as socket.io's {@code socket.handshake}.
 *
 * @param headers the headers of the request that opened the Engine.IO session (read-only)
 * @param time    when the socket was created, as JavaScript's {@code new Date() + ""} writes it
 * @param address the client's IP address
 * @param xdomain whether the request carried an {@code Origin} header
 * @param secure  whether the connection uses TLS
 * @param issued  when the socket was created, milliseconds since the epoch
 * @param url     the request target of the opening request
 * @param query   its query parameters
 * @param auth    the payload of the CONNECT packet ({@code auth} option of the client), unmodifiable,
 *                empty when none
 */
public record Handshake(
        HttpHeaders headers,
        String time,
        String address,
        boolean xdomain,
        boolean secure,
        long issued,
        String url,
        Map<String, String> query,
        Map<String, Object> auth) {

    public Handshake {
        Objects.requireNonNull(headers, "headers");
        query = Map.copyOf(query);
        Objects.requireNonNull(auth, "auth");
    }
}
