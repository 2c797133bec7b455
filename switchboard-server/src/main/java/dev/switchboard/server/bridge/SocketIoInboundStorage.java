package dev.switchboard.server.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.core.bridge.Inbound;
import dev.switchboard.core.bridge.InboundStorage;
import dev.switchboard.core.message.Message;
import dev.switchboard.core.routing.Router;
import dev.switchboard.socketio.BroadcastOperator;
import dev.switchboard.socketio.SocketIoServer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiPredicate;

/**
 * How a bridge's inbound message to a durable room is stored: through Socket.IO's recovery, exactly as a
 * server-side {@code io.to(room).emit(...)}, which appends it to the room's stream (giving it the recovery
 * offset clients resume from) and delivers it once stored ({@code emitStored}). The bridge acknowledges the
 * record to its source only after that. Messages to rooms that are not durable go straight to the router.
 *
 * <p>Cost and limits of the durable path: the arguments are parsed once more here (into the values
 * {@code emit} takes); the message keeps neither its id nor its origin, so a bridge whose outbound room
 * rules match a durable room it also feeds would send those messages back out; de-duplication of
 * redelivered records happens before this step (in the bridge).
 */
final class SocketIoInboundStorage implements InboundStorage {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SocketIoServer io;
    private final BiPredicate<String, String> durable;

    SocketIoInboundStorage(SocketIoServer io, BiPredicate<String, String> durable) {
        this.io = io;
        this.durable = durable;
    }

    @Override
    public CompletionStage<Message> store(Message message) {
        return CompletableFuture.completedFuture(message);
    }

    @Override
    public CompletionStage<Inbound.Accepted> storeAndPublish(Message message, Router router) {
        if (!toDurableRoom(message)) {
            return InboundStorage.super.storeAndPublish(message, router);
        }
        Object[] args;
        try {
            args = arguments(message);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("arguments are not JSON: " + e.getMessage()));
        }
        BroadcastOperator op = io.of(message.space()).to(message.rooms().toArray(String[]::new));
        if (!message.exceptRooms().isEmpty()) {
            op = op.except(message.exceptRooms().toArray(String[]::new));
        }
        return op.emitStored(message.event(), args)
                .thenApply(v -> new Inbound.Accepted(message.id(), -1, Message.NO_POSITION));
    }

    private boolean toDurableRoom(Message message) {
        for (String room : message.rooms()) {
            if (durable.test(message.space(), room)) {
                return true;
            }
        }
        return false;
    }

    /** The message's arguments as the values {@code emit} takes: JSON values, {@code byte[]} for attachments. */
    static Object[] arguments(Message message) throws IOException {
        JsonNode array = JSON.readTree(message.argumentsJson());
        List<Object> out = new ArrayList<>();
        for (JsonNode n : array) {
            out.add(value(n, message));
        }
        return out.toArray();
    }

    private static Object value(JsonNode n, Message message) {
        if (n.isObject() && n.path("_placeholder").asBoolean(false) && n.path("num").canConvertToInt()) {
            int num = n.path("num").asInt();
            if (num >= 0 && num < message.attachmentCount()) {
                ByteBuffer b = message.attachment(num);
                byte[] bytes = new byte[b.remaining()];
                b.get(bytes);
                return bytes;
            }
        }
        if (n.isArray()) {
            List<Object> list = new ArrayList<>(n.size());
            n.forEach(e -> list.add(value(e, message)));
            return list;
        }
        if (n.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                map.put(e.getKey(), value(e.getValue(), message));
            }
            return map;
        }
        return JSON.convertValue(n, Object.class);
    }
}
