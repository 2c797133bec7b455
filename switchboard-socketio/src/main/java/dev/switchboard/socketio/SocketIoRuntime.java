package dev.switchboard.socketio;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.switchboard.core.handler.HandlerRunner;
import dev.switchboard.core.message.Message;
import dev.switchboard.core.message.MessageId;
import dev.switchboard.core.routing.Router;
import dev.switchboard.socketio.protocol.Packet;
import dev.switchboard.socketio.protocol.PacketDecoder;
import dev.switchboard.socketio.protocol.PacketEncoder;
import dev.switchboard.socketio.protocol.PacketType;
import dev.switchboard.socketio.protocol.Payloads;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

/** What every namespace and socket of one server shares: config, codec, router. Immutable, thread-safe. */
final class SocketIoRuntime {

    /** Names an application may not emit (socket.io's server RESERVED_EVENTS). */
    static final Set<String> RESERVED_EVENTS = PacketDecoder.RESERVED_EVENTS;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final SocketIoConfig config;
    private final Router router;
    private final Payloads payloads;
    private final PacketEncoder encoder;
    private final ContainedHandlers handlers;

    SocketIoRuntime(SocketIoConfig config, Router router) {
        this(config, router, ContainedHandlers.standaloneRunner());
    }

    SocketIoRuntime(SocketIoConfig config, Router router, HandlerRunner handlers) {
        this.config = config;
        this.handlers = new ContainedHandlers(handlers, config.handlerErrorAck());
        this.router = router;
        SocketIoRenderer.registerOn(router);
        this.payloads = new Payloads(config.mapper());
        this.encoder = new PacketEncoder(config.mapper());
        prime();
    }

    /**
     * Does the one-time lazy work of the connect path now rather than in the first clients' handshakes
     * after a start: SecureRandom seeding, the time-zone names of {@code handshake.time}, the mapper's
     * first parser and serializer lookups (a fresh server's connect storm). Nothing is kept;
     * a failure here only means the first client pays instead.
     */
    private void prime() {
        try {
            newId();
            SocketImpl.jsTime(System.currentTimeMillis());
            Packet p = newDecoder().decodeText("2[\"prime\",{\"a\":[1,\"b\",true,null,1.5]}]");
            encoder.encode(p);
            payloads.toJava(p.data(), 0);
            encoder.encode(Packet.of(PacketType.EVENT, "/", payloads.eventData("prime", new Object[] {"x", 1})));
        } catch (Exception | LinkageError e) {
            org.slf4j.LoggerFactory.getLogger(SocketIoRuntime.class).debug("priming skipped: {}", e.toString());
        }
    }

    SocketIoConfig config() {
        return config;
    }

    Router router() {
        return router;
    }

    Payloads payloads() {
        return payloads;
    }

    /** Runs user handlers contained (the node's {@link HandlerRunner}). */
    ContainedHandlers handlers() {
        return handlers;
    }

    PacketEncoder encoder() {
        return encoder;
    }

    SocketIoMetrics metrics() {
        return config.metrics();
    }

    boolean recoveryEnabled() {
        return config.recovery().isPresent();
    }

    /** The protocol name fabric messages published by Socket.IO carry as their origin. */
    static final String PROTOCOL = "socketio";

    /**
     * A fabric message for an EVENT with {@code data} ({@code [event, ...args]}) in namespace
     * {@code nsp}, routed by {@code flags}.
     */
    Message message(String nsp, ArrayNode data, BroadcastFlags flags) {
        return message(nsp, data, flags, null);
    }

    /** {@link #message(String, ArrayNode, BroadcastFlags)} with the given id ({@code null}: a new one). */
    Message message(String nsp, ArrayNode data, BroadcastFlags flags, MessageId id) {
        PacketEncoder.EventParts parts = encoder.eventParts(data);
        Message.Builder b = Message.builder(nsp, parts.event());
        MessageId given = id != null ? id : flags.messageId();
        if (given != null) {
            b.id(given);
        }
        return b
                .rooms(flags.rooms())
                .exceptRooms(flags.except())
                .arguments(parts.arguments())
                .attachments(parts.attachments())
                .isVolatile(flags.isVolatile())
                .local(flags.local())
                .compress(flags.compress())
                .origin("", PROTOCOL)
                .build();
    }

    PacketDecoder newDecoder() {
        return new PacketDecoder(config.mapper(), config.maxAttachments());
    }

    /** A socket id or private session id: 20 url-safe base64 characters (as the base64id package). */
    static String newId() {
        byte[] bytes = new byte[15];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static void checkEventName(String event) {
        if (event == null) {
            throw new IllegalArgumentException("event name must not be null");
        }
        if (RESERVED_EVENTS.contains(event)) {
            throw new IllegalArgumentException("\"" + event + "\" is a reserved event name");
        }
    }
}
