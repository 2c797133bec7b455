package dev.switchboard.server.realtime;

import dev.switchboard.server.auth.SocketAuthenticator;
import dev.switchboard.socketio.Ack;
import dev.switchboard.socketio.DisconnectReason;
import dev.switchboard.socketio.Namespace;
import dev.switchboard.socketio.Socket;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The server side of the demo chat at {@code /}, on namespace {@value #NAMESPACE}, written with the
 * Socket.IO Java API as a user of Switchboard would write it.
 *
 * <p>The namespace is also managed (the {@code switchboard:} protocol, every room): the page subscribes,
 * publishes its room messages and reads presence and history with it, and uses the events below for what
 * the protocol does not do: the name, direct messages, typing hints, presence pushed when a member goes.
 *
 * <p>Client to server (each may take an acknowledgement callback, answered {@code {ok:true,...}} or
 * {@code {ok:false, error}}):
 * <ul>
 *   <li>{@code hello {name}} — sets the display name (1 to 32 characters), which {@code switchboard:presence}
 *       lists as the member's user unless a token set one; required before the rest;</li>
 *   <li>{@code join {room}} / {@code leave {room}} — the ack carries the room's presence;</li>
 *   <li>{@code message {room, text}} to a joined room, or {@code message {to, text}} to one socket id;</li>
 *   <li>{@code typing {room, typing}} — relayed as a volatile event.</li>
 * </ul>
 * Server to client: {@code presence {room, members:[{id,name}]}} whenever a room's membership changes,
 * {@code message {id, from, fromId, room | to, text, ts}}, {@code typing {room, id, name, typing}}.
 *
 * <p>Threading: listeners run on each socket's event loop; the only state is in {@code socket.data()}
 * and the namespace's rooms, both thread-safe.
 */
final class ChatDemo {

    static final String NAMESPACE = "/demo";
    static final int MAX_NAME = 32;
    static final int MAX_ROOM = 64;
    static final int MAX_TEXT = 2000;
    /** Rooms one demo socket may hold through the {@code switchboard:} protocol. */
    static final int MAX_ROOMS = 20;
    private static final String NAME = "name";

    private final Namespace ns;

    private ChatDemo(Namespace ns) {
        this.ns = ns;
    }

    static void install(Namespace ns) {
        ChatDemo demo = new ChatDemo(ns);
        ns.on("connection", demo::onConnection);
    }

    private void onConnection(Socket socket) {
        socket.on("hello", (args, ack) -> onHello(socket, arg(args), ack));
        socket.on("join", (args, ack) -> onJoin(socket, arg(args), ack));
        socket.on("leave", (args, ack) -> onLeave(socket, arg(args), ack));
        socket.on("message", (args, ack) -> onMessage(socket, arg(args), ack));
        socket.on("typing", (args, ack) -> onTyping(socket, arg(args)));
        socket.onDisconnecting(reason -> onDisconnecting(socket, reason));
    }

    private void onHello(Socket socket, Map<String, Object> body, Ack ack) {
        String name = text(body, "name", MAX_NAME);
        if (name == null) {
            ack.send(error("name must be 1 to " + MAX_NAME + " characters"));
            return;
        }
        socket.data().put(NAME, name);
        // Without a token (the demo's usual case) the name is who switchboard:presence shows.
        socket.data().putIfAbsent(SocketAuthenticator.USER_ID, name);
        // A renamed member shows up under the new name in every room it is in.
        for (String room : socket.rooms()) {
            if (!room.equals(socket.id())) {
                ns.to(room).emit("presence", presence(room, null));
            }
        }
        ack.send(ok(Map.of("id", socket.id(), "name", name)));
    }

    private void onJoin(Socket socket, Map<String, Object> body, Ack ack) {
        if (!named(socket, ack)) {
            return;
        }
        String room = room(body);
        if (room == null) {
            ack.send(error("room must be 1 to " + MAX_ROOM + " characters"));
            return;
        }
        socket.join(room);
        Map<String, Object> presence = presence(room, null);
        // The joiner may not be listed yet if the join has not reached the room registry; add it.
        ensureMember(presence, socket);
        ns.to(room).except(socket.id()).emit("presence", presence);
        ack.send(ok(presence));
    }

    private void onLeave(Socket socket, Map<String, Object> body, Ack ack) {
        String room = room(body);
        if (room == null) {
            ack.send(error("room must be 1 to " + MAX_ROOM + " characters"));
            return;
        }
        socket.leave(room);
        ns.to(room).except(socket.id()).emit("presence", presence(room, socket.id()));
        ack.send(ok(Map.of("room", room)));
    }

    private void onMessage(Socket socket, Map<String, Object> body, Ack ack) {
        if (!named(socket, ack)) {
            return;
        }
        String message = text(body, "text", MAX_TEXT);
        if (message == null) {
            ack.send(error("text must be 1 to " + MAX_TEXT + " characters"));
            return;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", socket.id() + "-" + System.nanoTime());
        out.put("from", socket.data().get(NAME));
        out.put("fromId", socket.id());
        out.put("text", message);
        out.put("ts", System.currentTimeMillis());
        Object to = body.get("to");
        if (to instanceof String target && !target.isEmpty()) {
            if (ns.socket(target) == null) {
                ack.send(error("no such user (they may have left)"));
                return;
            }
            out.put("to", target);
            // To the recipient and back to the sender, so both see the direct message.
            ns.to(target, socket.id()).emit("message", out);
            ack.send(ok(Map.of("id", out.get("id"))));
            return;
        }
        String room = room(body);
        if (room == null || !socket.rooms().contains(room)) {
            ack.send(error("join the room before writing to it"));
            return;
        }
        out.put("room", room);
        // Acknowledged once kept: for a durable room (switchboard.durable.rooms), once stored.
        ns.to(room).emitStored("message", out).whenComplete((v, e) -> ack.send(e == null
                ? ok(Map.of("id", out.get("id")))
                : error("the message could not be stored, try again")));
    }

    private void onTyping(Socket socket, Map<String, Object> body) {
        String room = room(body);
        Object name = socket.data().get(NAME);
        if (room == null || name == null || !socket.rooms().contains(room)) {
            return;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("room", room);
        out.put("id", socket.id());
        out.put("name", name);
        out.put("typing", Boolean.TRUE.equals(body.get("typing")));
        // Volatile: a typing hint is worthless late, so it is dropped for a client that cannot take it now.
        socket.to(room).asVolatile().emit("typing", out);
    }

    private void onDisconnecting(Socket socket, DisconnectReason reason) {
        for (String room : socket.rooms()) {
            if (!room.equals(socket.id())) {
                ns.to(room).except(socket.id()).emit("presence", presence(room, socket.id()));
            }
        }
    }

    /** The members of a room with their names, sorted by name; {@code without} left out (it is leaving). */
    private Map<String, Object> presence(String room, String without) {
        List<Map<String, Object>> members = new ArrayList<>();
        for (Socket s : ns.in(room).fetchSockets()) {
            if (!s.id().equals(without) && s.data().get(NAME) != null) {
                members.add(member(s));
            }
        }
        members.sort(Comparator.comparing((Map<String, Object> m) -> (String) m.get("name")).thenComparing(m -> (String) m.get("id")));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("room", room);
        out.put("members", members);
        return out;
    }

    @SuppressWarnings("unchecked")
    private static void ensureMember(Map<String, Object> presence, Socket socket) {
        List<Map<String, Object>> members = (List<Map<String, Object>>) presence.get("members");
        if (members.stream().noneMatch(m -> socket.id().equals(m.get("id")))) {
            members.add(member(socket));
            members.sort(Comparator.comparing((Map<String, Object> m) -> (String) m.get("name")).thenComparing(m -> (String) m.get("id")));
        }
    }

    private static Map<String, Object> member(Socket s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", s.id());
        m.put("name", s.data().get(NAME));
        return m;
    }

    private static boolean named(Socket socket, Ack ack) {
        if (socket.data().get(NAME) == null) {
            ack.send(error("say hello with a name first"));
            return false;
        }
        return true;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> arg(List<Object> args) {
        return !args.isEmpty() && args.get(0) instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static String room(Map<String, Object> body) {
        return text(body, "room", MAX_ROOM);
    }

    private static String text(Map<String, Object> body, String field, int max) {
        if (!(body.get(field) instanceof String s)) {
            return null;
        }
        String t = s.strip();
        return t.isEmpty() || t.length() > max ? null : t;
    }

    private static Map<String, Object> ok(Map<String, Object> fields) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ok", true);
        out.putAll(fields);
        return out;
    }

    private static Map<String, Object> error(String message) {
        return Map.of("ok", false, "error", message);
    }
}
