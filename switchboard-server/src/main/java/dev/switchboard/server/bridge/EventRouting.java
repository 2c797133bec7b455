package dev.switchboard.server.bridge;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.core.bridge.BridgeHandle;
import dev.switchboard.core.bridge.BridgeStoppedException;
import dev.switchboard.core.bridge.Bridges;
import dev.switchboard.core.bridge.EventRoute;
import dev.switchboard.core.bridge.OutboundFullException;
import dev.switchboard.core.message.Message;
import dev.switchboard.socketio.Ack;
import dev.switchboard.socketio.Namespace;
import dev.switchboard.socketio.Socket;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client event routed to a bridge: every socket of the namespace gets a listener for the event that
 * sends it out through the bridge and answers the client's acknowledgement, when it asked for one, only
 * once the bridge confirmed: {@code {"ok": true}} plus the bridge's receipt (Kafka: {@code partition} and
 * {@code offset}), or {@code {"error": {"message": m}}} with m one of
 * {@code bridge busy} (outbound window full), {@code bridge timeout}, {@code bridge unavailable} (not
 * running) and {@code bridge failed} (the external system refused it; its own message is not sent, it may
 * hold internals). The event's arguments go out as the message's JSON arguments, binary ones as
 * attachments, with the sender's socket id in header {@value Bridges#SOCKET_HEADER} and, when the server
 * verifies tokens, its user id in {@value Bridges#USER_HEADER}.
 *
 * <p>Threading: the listener runs on the socket's event loop and does not block ({@link BridgeHandle#send}
 * never does); the acknowledgement is sent from whichever thread completes the bridge's stage.
 */
final class EventRouting {

    private static final Logger log = LoggerFactory.getLogger(EventRouting.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Map<String, Object> OK = Map.of("ok", true);
    /** Key of {@code socket.data} holding the verified user id (the authenticator's). */
    private static final String USER_ID = dev.switchboard.server.auth.SocketAuthenticator.USER_ID;

    private EventRouting() {}

    /** @param nodeId this node's id, the origin of the messages */
    static void install(Namespace namespace, EventRoute route, BridgeHandle bridge, String nodeId) {
        install(namespace, route, bridge, nodeId, false);
    }

    /** @param withUser whether {@code socket.data.userId} is verified (then it goes out in header {@value Bridges#USER_HEADER}) */
    static void install(Namespace namespace, EventRoute route, BridgeHandle bridge, String nodeId, boolean withUser) {
        namespace.on("connection", socket -> socket.on(route.event(),
                (args, ack) -> forward(socket, route, bridge, nodeId, withUser, args, ack)));
    }

    private static void forward(Socket socket, EventRoute route, BridgeHandle bridge, String nodeId, boolean withUser,
                                List<Object> args, Ack ack) throws JsonProcessingException {
        List<byte[]> attachments = new ArrayList<>();
        Object withPlaceholders = placeholders(args, attachments);
        Message message = Message.builder(route.space(), route.event())
                .arguments(JSON.writeValueAsBytes(withPlaceholders))
                .attachments(attachments)
                .headers(headers(socket, withUser))
                .origin(nodeId, "socketio")
                .build();
        bridge.sendWithReceipt(message).whenComplete((receipt, error) -> {
            if (error == null) {
                if (receipt == null || receipt.isEmpty()) {
                    ack.send(OK);
                } else {
                    Map<String, Object> answer = new LinkedHashMap<>(OK);
                    answer.putAll(receipt);
                    ack.send(answer);
                }
                return;
            }
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            String reason = cause instanceof OutboundFullException ? "bridge busy"
                    : cause instanceof TimeoutException ? "bridge timeout"
                    : cause instanceof BridgeStoppedException ? "bridge unavailable"
                    : "bridge failed";
            log.debug("bridge {}: event {} of socket {} not confirmed: {}", bridge.name(), route.event(), socket.id(), cause.toString());
            ack.send(Map.of("error", Map.of("message", reason)));
        });
    }

    private static Map<String, String> headers(Socket socket, boolean withUser) {
        Object user = withUser ? socket.data().get(USER_ID) : null;
        if (user instanceof String u) {
            return Map.of(Bridges.SOCKET_HEADER, socket.id(), Bridges.USER_HEADER, u);
        }
        return Map.of(Bridges.SOCKET_HEADER, socket.id());
    }

    /** A copy of {@code value} with each {@code byte[]} replaced by Socket.IO's placeholder, collected in order. */
    static Object placeholders(Object value, List<byte[]> attachments) {
        if (value instanceof byte[] bytes) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("_placeholder", true);
            p.put("num", attachments.size());
            attachments.add(bytes);
            return p;
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            for (Object o : list) {
                out.add(placeholders(o, attachments));
            }
            return out;
        }
        if (value instanceof Map<?, ?> map) {
            Map<Object, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                out.put(e.getKey(), placeholders(e.getValue(), attachments));
            }
            return out;
        }
        return value;
    }
}
