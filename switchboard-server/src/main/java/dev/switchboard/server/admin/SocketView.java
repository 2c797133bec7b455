package dev.switchboard.server.admin;

import dev.switchboard.socketio.Handshake;
import dev.switchboard.socketio.Socket;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A socket as the admin UI reads it (the npm package's {@code serialize}): id, client id, transport,
 * namespace, data, handshake (without {@code auth}, which may hold credentials) and rooms.
 */
final class SocketView {

    private SocketView() {}

    static Map<String, Object> of(Socket socket) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", socket.id());
        // The UI groups a connection's sockets by client id (the Engine.IO session id in socket.io), which
        // this API does not expose: each socket is its own client here.
        out.put("clientId", socket.id().length() > 12 ? socket.id().substring(0, 12) : socket.id());
        out.put("transport", socket.transport());
        out.put("nsp", socket.namespace());
        Map<String, Object> data = new LinkedHashMap<>(socket.data());
        data.remove("_admin");
        out.put("data", data);
        Handshake h = socket.handshake();
        Map<String, Object> headers = new LinkedHashMap<>();
        h.headers().forEach(e -> headers.put(e.getKey().toLowerCase(java.util.Locale.ROOT), e.getValue()));
        Object forwarded = headers.getOrDefault("cf-connecting-ip", headers.get("x-forwarded-for"));
        Map<String, Object> handshake = new LinkedHashMap<>();
        handshake.put("address", forwarded != null ? forwarded : h.address());
        handshake.put("headers", headers);
        handshake.put("query", h.query());
        handshake.put("issued", h.issued());
        handshake.put("secure", h.secure());
        handshake.put("time", h.time());
        handshake.put("url", h.url());
        handshake.put("xdomain", h.xdomain());
        out.put("handshake", handshake);
        out.put("rooms", new ArrayList<>(socket.rooms()));
        return out;
    }

    static List<Object> all(Iterable<Socket> sockets) {
        List<Object> out = new ArrayList<>();
        for (Socket s : sockets) {
            out.add(of(s));
        }
        return out;
    }

    /** A JavaScript {@code Date} as JSON writes it (ISO-8601, milliseconds, UTC). */
    static String now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
    }
}
