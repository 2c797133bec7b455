package dev.switchboard.mqtt;

import dev.switchboard.core.routing.EncodedMessage;
import dev.switchboard.core.routing.Subscriber;
import dev.switchboard.core.routing.WireFormat;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttIdentifierRejectedException;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.IntegerProperty;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttUnacceptableProtocolVersionException;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayDeque;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One MQTT connection: the last handler of its pipeline and its {@link Subscriber} in the fabric.
 *
 * <p>Threading: every method runs on the channel's event loop (Netty calls the handler methods there and
 * the router calls {@link #deliver}/{@link #flush} there), so state is in plain fields.
 *
 * <p>States: AWAIT_CONNECT (only CONNECT is valid; the idle handler closes after the connect timeout),
 * CONNECTED (after CONNACK accepted; the idle handler closes after 1.5 × keep alive without a packet),
 * CLOSED. Every close goes through {@link #close(String, byte)} (v5: a DISCONNECT with the reason code
 * first) or {@link #channelInactive}, which publishes the will unless the client sent DISCONNECT, and
 * detaches from the fabric.
 */
final class MqttConnection extends ChannelInboundHandlerAdapter implements Subscriber {

    private static final Logger log = LoggerFactory.getLogger(MqttConnection.class);
    private static final AtomicLong IDS = new AtomicLong();

    // MQTT 5.0 reason codes used here (section 2.4).
    static final byte RC_NORMAL = 0x00;
    static final byte RC_DISCONNECT_WITH_WILL = 0x04;
    static final byte RC_NO_SUBSCRIPTION_EXISTED = 0x11;
    static final byte RC_UNSPECIFIED = (byte) 0x80;
    static final byte RC_MALFORMED = (byte) 0x81;
    static final byte RC_PROTOCOL_ERROR = (byte) 0x82;
    static final byte RC_KEEP_ALIVE_TIMEOUT = (byte) 0x8D;
    static final byte RC_SESSION_TAKEN_OVER = (byte) 0x8E;
    static final byte RC_TOPIC_FILTER_INVALID = (byte) 0x8F;
    static final byte RC_TOPIC_NAME_INVALID = (byte) 0x90;
    static final byte RC_PACKET_ID_NOT_FOUND = (byte) 0x92;
    static final byte RC_RECEIVE_MAXIMUM_EXCEEDED = (byte) 0x93;
    static final byte RC_TOPIC_ALIAS_INVALID = (byte) 0x94;
    static final byte RC_PACKET_TOO_LARGE = (byte) 0x95;
    static final byte RC_QUOTA_EXCEEDED = (byte) 0x97;

    static final String IDLE = "mqtt-idle";
    /** Packets a client may pipeline behind CONNECT while its session is handed over; one read rarely holds more. */
    private static final int EARLY_MAX = 1024;

    final Gateway gw;
    private final String id = "mqtt-" + Long.toString(IDS.incrementAndGet(), 36);
    private ChannelHandlerContext ctx;
    private EventExecutor loop;

    private boolean connected;
    /** Past CONNECT and owner of its session (the previous owner let go); packets wait in {@link #early} until then. */
    private boolean ready;
    private boolean closed;
    private boolean cleanDisconnect;
    private MqttVersion version = MqttVersion.MQTT_3_1_1;
    private String clientId;
    /** The authenticated user (a token's sub), or null when authentication is off; set at CONNECT. */
    private String userId;
    private Will will;
    private int clientMaxPacketSize = Integer.MAX_VALUE;
    private Outbound outbound;
    private Subscriptions subscriptions;
    private final Inbound inbound = new Inbound(this);
    private SessionLink link;
    /** Packets read between CONNACK and {@link #ready} (auto-read is off meanwhile, so at most one read's worth). */
    private final ArrayDeque<MqttMessage> early = new ArrayDeque<>();

    MqttConnection(Gateway gw) {
        this.gw = gw;
    }

    /** @param props its MQTT 5 properties, encoded; {@code delaySeconds} the v5 Will Delay Interval */
    record Will(String topic, byte[] payload, int qos, boolean retain, byte[] props, long delaySeconds) {}

    // ---------------------------------------------------------------- Subscriber

    @Override
    public String id() {
        return id;
    }

    @Override
    public EventExecutor executor() {
        return loop;
    }

    @Override
    public WireFormat wireFormat() {
        return MqttRenderer.FORMAT;
    }

    /** A fabric publication: one PUBLISH at the highest QoS of the matching subscriptions (capped by the publication's). */
    @Override
    public Delivery deliver(EncodedMessage message, boolean isVolatile) {
        if (!connected || closed) {
            return Delivery.REJECTED;
        }
        String topic = message.frame(0).toString(java.nio.charset.StandardCharsets.UTF_8);
        ByteBuf meta = message.frame(2);
        int flags = meta.getByte(meta.readerIndex());
        String publisher = meta.toString(meta.readerIndex() + 1, meta.readableBytes() - 1,
                java.nio.charset.StandardCharsets.UTF_8);
        Subscriptions.Grant grant = Subscriptions.grantFor(link.session.subs, topic, publisher.equals(id));
        if (grant == null) {
            return Delivery.DROPPED_VOLATILE; // reached through a room name no filter of ours matches
        }
        int qos = Math.min(flags & 3, grant.qos());
        boolean retain = grant.retainAsPublished() && (flags & MqttRenderer.FLAG_RETAIN) != 0;
        byte[] props = message.frameCount() > 3 ? ByteBufUtil.getBytes(message.frame(3)) : V5Properties.NO_BYTES;
        return send(topic, message.frame(1).retainedDuplicate(), qos, retain, props)
                ? Delivery.WRITTEN : Delivery.REJECTED;
    }

    @Override
    public void flush() {
        ctx.flush();
    }

    /**
     * Sends a PUBLISH; takes ownership of {@code payload}. QoS 0 is dropped when the connection is past its
     * write watermark; QoS 1/2 waits for a packet id when the window is full, and a full queue disconnects
     * the client as too slow. Returns false when nothing was written or queued.
     *
     * @param props the publication's MQTT 5 properties, {@link V5Properties#encode() encoded}
     */
    boolean send(String topic, ByteBuf payload, int qos, boolean retain, byte[] props) {
        if (topic.length() + payload.readableBytes() + props.length + 16 > clientMaxPacketSize) {
            payload.release();
            gw.metrics().dropped("too_large");
            return false;
        }
        if (qos == 0) {
            if (!ctx.channel().isWritable()) {
                payload.release();
                gw.metrics().dropped("not_writable");
                return false;
            }
            return writePublish(topic, payload, 0, retain, 0, false, props);
        }
        if (!outbound.hasRoom() || link.draining) {
            if (!outbound.enqueue(new Outbound.Pending(topic, payload, qos, retain, props, null))) {
                payload.release();
                gw.metrics().dropped("slow_subscriber");
                log.warn("MQTT client {} ({}) disconnected: more than {} publications queued", clientId, id,
                        gw.config().maxQueued());
                close("slow subscriber", RC_QUOTA_EXCEEDED);
                return false;
            }
            return true;
        }
        return sendNow(topic, payload, qos, retain, props);
    }

    /** A QoS 1/2 publication with a fresh packet id; a persistent session keeps the payload until acknowledged. */
    private boolean sendNow(String topic, ByteBuf payload, int qos, boolean retain, byte[] props) {
        MqttProperties p = properties(topic, props);
        if (p == null) {
            payload.release();
            return false;
        }
        if (link.keeps()) {
            int packetId = outbound.acquire(new Outbound.Pending(topic, payload, qos, retain, props, null));
            write(topic, payload.retainedDuplicate(), qos, retain, packetId, false, p);
        } else {
            write(topic, payload, qos, retain, outbound.acquire(null), false, p);
        }
        return true;
    }

    /**
     * The PUBLISH properties for this client (none before v5): the publication's, with what remains of its
     * expiry interval and the identifiers of the matching subscriptions; null (counted) once it has expired.
     */
    private MqttProperties properties(String topic, byte[] props) {
        if (props.length == 0 && (version != MqttVersion.MQTT_5 || !link.session.hasSubscriptionIds())) {
            return MqttProperties.NO_PROPERTIES;
        }
        V5Properties v = V5Properties.decode(props);
        long now = System.currentTimeMillis();
        if (v.expired(now)) {
            gw.metrics().dropped("expired");
            return null;
        }
        if (version != MqttVersion.MQTT_5) {
            return MqttProperties.NO_PROPERTIES;
        }
        return v.toMqtt(now, Subscriptions.subscriptionIds(link.session.subs, topic));
    }

    /**
     * Writes (without flushing) a PUBLISH with the properties of {@code props}; takes ownership of
     * {@code payload}. False (payload released) when it expired before it could be sent.
     */
    boolean writePublish(String topic, ByteBuf payload, int qos, boolean retain, int packetId, boolean dup,
            byte[] props) {
        MqttProperties p = properties(topic, props);
        if (p == null) {
            payload.release();
            return false;
        }
        write(topic, payload, qos, retain, packetId, dup, p);
        return true;
    }

    private void write(String topic, ByteBuf payload, int qos, boolean retain, int packetId, boolean dup,
            MqttProperties props) {
        MqttPublishMessage m = new MqttPublishMessage(
                new MqttFixedHeader(MqttMessageType.PUBLISH, dup, MqttQoS.valueOf(qos), retain, 0),
                new MqttPublishVariableHeader(topic, qos == 0 ? -1 : packetId, props),
                payload);
        ctx.write(m, ctx.voidPromise());
        gw.metrics().messageOut(qos);
    }

    /** Sends queued publications while the window has room. */
    void drainQueue() {
        Outbound.Pending p;
        boolean wrote = false;
        while ((p = outbound.nextQueued()) != null) {
            wrote |= sendNow(p.topic(), p.payload(), p.qos(), p.retain(), p.props());
        }
        if (wrote) {
            ctx.flush();
        }
    }

    // ---------------------------------------------------------------- pipeline

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.loop = ctx.channel().eventLoop();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (!(msg instanceof MqttMessage m)) {
                return;
            }
            if (closed) {
                return;
            }
            DecoderResult r = m.decoderResult();
            if (r != null && r.isFailure()) {
                onBadPacket(r.cause());
                return;
            }
            MqttMessageType type = m.fixedHeader().messageType();
            if (connected && !ready) {
                if (early.size() >= EARLY_MAX) {
                    close("more than " + EARLY_MAX + " packets before its session was ready", RC_QUOTA_EXCEEDED);
                    return;
                }
                early.add((MqttMessage) ReferenceCountUtil.retain(m));
                return;
            }
            if (!connected) {
                if (type == MqttMessageType.CONNECT) {
                    onConnect((MqttConnectMessage) m);
                } else {
                    log.info("MQTT connection {} closed: {} before CONNECT", id, type);
                    ctx.close();
                }
                return;
            }
            switch (type) {
                case PUBLISH -> inbound.onPublish((MqttPublishMessage) m);
                case PUBACK -> link.onAck(outbound, ((MqttMessageIdVariableHeader) m.variableHeader()).messageId());
                case PUBREC -> link.onPubRec(outbound, ((MqttMessageIdVariableHeader) m.variableHeader()).messageId());
                case PUBREL -> inbound.onPubRel(((MqttMessageIdVariableHeader) m.variableHeader()).messageId());
                case PUBCOMP -> link.onAck(outbound, ((MqttMessageIdVariableHeader) m.variableHeader()).messageId());
                case SUBSCRIBE -> subscriptions.onSubscribe((io.netty.handler.codec.mqtt.MqttSubscribeMessage) m);
                case UNSUBSCRIBE -> subscriptions.onUnsubscribe((io.netty.handler.codec.mqtt.MqttUnsubscribeMessage) m);
                case PINGREQ -> ctx.writeAndFlush(new MqttMessage(
                        new MqttFixedHeader(MqttMessageType.PINGRESP, false, MqttQoS.AT_MOST_ONCE, false, 0)));
                case DISCONNECT -> onDisconnect(m);
                case CONNECT -> close("second CONNECT", RC_PROTOCOL_ERROR);
                default -> close("unexpected " + type + " from a client", RC_PROTOCOL_ERROR);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onBadPacket(Throwable cause) {
        if (!connected) {
            MqttConnectReturnCode code;
            if (cause instanceof MqttUnacceptableProtocolVersionException) {
                code = MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION;
            } else if (cause instanceof MqttIdentifierRejectedException) {
                code = version == MqttVersion.MQTT_5
                        ? MqttConnectReturnCode.CONNECTION_REFUSED_CLIENT_IDENTIFIER_NOT_VALID
                        : MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED;
            } else {
                log.info("MQTT connection {} closed: malformed packet before CONNECT: {}", id, cause.getMessage());
                ctx.close();
                closed = true;
                return;
            }
            log.info("MQTT connection {} refused: {}", id, cause.getMessage());
            refuse(code);
            return;
        }
        byte rc = cause instanceof TooLongFrameException ? RC_PACKET_TOO_LARGE : RC_MALFORMED;
        close("malformed packet: " + cause.getMessage(), rc);
    }

    private void onConnect(MqttConnectMessage m) {
        var h = m.variableHeader();
        version = MqttVersion.fromProtocolNameAndLevel(h.name(), (byte) h.version());
        boolean v5 = version == MqttVersion.MQTT_5;
        String requested = m.payload().clientIdentifier();
        boolean assigned = false;
        if (requested == null || requested.isEmpty()) {
            if (!v5 && !h.isCleanSession()) {
                // 3.1.1 3.1.3-8: a zero-byte id with CleanSession 0 is refused.
                log.info("MQTT connection {} refused: empty client id without clean session", id);
                refuse(MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED);
                return;
            }
            requested = "auto-" + UUID.randomUUID();
            assigned = true;
        }
        if (v5 && h.properties().getProperty(MqttPropertyType.AUTHENTICATION_METHOD.value()) != null) {
            log.info("MQTT connection {} refused: enhanced authentication is not supported", id);
            refuse(MqttConnectReturnCode.CONNECTION_REFUSED_BAD_AUTHENTICATION_METHOD);
            return;
        }
        MqttAuthenticator.Result auth = gw.config().authenticator()
                .authenticate(requested, m.payload().userName(), m.payload().passwordInBytes());
        if (!auth.isAccepted()) {
            log.info("MQTT connection {} (client {}) refused: {}", id, requested, auth.refusal());
            refuseCredentials(auth.refusal());
            return;
        }
        userId = auth.userId();
        clientId = requested;
        int window = gw.config().maxInflight();
        long requestedExpiry = h.isCleanSession() ? 0 : gw.config().maxSessionExpiry().toSeconds();
        if (v5) {
            Object rm = value(h.properties(), MqttPropertyType.RECEIVE_MAXIMUM);
            if (rm instanceof Integer i && i > 0) {
                window = Math.min(window, i);
            }
            Object mps = value(h.properties(), MqttPropertyType.MAXIMUM_PACKET_SIZE);
            if (mps instanceof Integer i && i > 0) {
                clientMaxPacketSize = i;
            }
            // v5 separates Clean Start from the session's lifetime (3.1.2.11.2): 0 (the default) ends it with the connection.
            Object se = value(h.properties(), MqttPropertyType.SESSION_EXPIRY_INTERVAL);
            requestedExpiry = se instanceof Integer i ? Integer.toUnsignedLong(i) : 0;
        }
        long expiry = gw.sessions().persistenceAvailable()
                ? Math.min(requestedExpiry, gw.config().maxSessionExpiry().toSeconds()) : 0;
        outbound = new Outbound(window, gw.config().maxQueued());
        if (h.isWillFlag()) {
            MqttProperties wp = m.payload().willProperties();
            long delay = 0;
            byte[] props = V5Properties.NO_BYTES;
            if (v5) {
                if (wp.getProperty(MqttPropertyType.WILL_DELAY_INTERVAL.value()) instanceof IntegerProperty d) {
                    delay = Integer.toUnsignedLong(d.value());
                }
                props = V5Properties.of(wp, System.currentTimeMillis()).encode();
            }
            will = new Will(m.payload().willTopic(), m.payload().willMessageInBytes(), h.willQos(), h.isWillRetain(),
                    props, delay);
        }
        Sessions.Attach attach = gw.sessions().attach(clientId, this, h.isCleanSession());
        link = new SessionLink(gw, this, attach);
        subscriptions = new Subscriptions(gw, this, link);
        MqttConnection old = attach.previousConnection();
        if (old != null) {
            old.loop.execute(() -> old.close("taken over by a new connection of client " + clientId,
                    RC_SESSION_TAKEN_OVER));
        }
        OfflineSubscriber offline = attach.previousOffline();
        if (offline != null) {
            offline.executor().execute(() -> offline.stop().whenComplete((v, t) -> attach.ownerDone().complete(null)));
        }
        connected = true;
        gw.metrics().connections(1);
        int keepAlive = h.keepAliveTimeSeconds();
        ctx.pipeline().replace(IDLE, IDLE, keepAlive > 0
                // 1.5 × keep alive (3.1.1 3.1.2-24, 5.0 3.1.2-22), in milliseconds so 1 s becomes 1.5 s.
                ? new IdleStateHandler(keepAlive * 1500L, 0, 0, TimeUnit.MILLISECONDS)
                : new IdleStateHandler(0, 0, 0));
        MqttProperties props = v5 ? Connacks.accepted(gw.config(), expiry, requestedExpiry, assigned ? clientId : null)
                : MqttProperties.NO_PROPERTIES;
        MqttConnAckMessage ack = MqttMessageBuilders.connAck()
                .returnCode(MqttConnectReturnCode.CONNECTION_ACCEPTED)
                .sessionPresent(attach.present())
                .properties(props)
                .build();
        ctx.writeAndFlush(ack);
        log.debug("MQTT client {} connected as {} ({}, keep alive {} s, user {}, session present {}, expiry {} s)", clientId,
                id, version, keepAlive, userId, attach.present(), expiry);
        if (attach.previous().isDone()) {
            becomeReady(attach, expiry);
        } else {
            ctx.channel().config().setAutoRead(false);
            attach.previous().whenComplete((v, t) -> loop.execute(() -> becomeReady(attach, expiry)));
        }
    }

    /** The previous owner of the session let go: take it, then handle what the client sent meanwhile. */
    private void becomeReady(Sessions.Attach attach, long expiry) {
        if (attach.discarded() != null) {
            gw.metrics().subscriptions(-attach.discarded().subs.size());
        }
        if (!connected) {
            // Ended while waiting: hand the session on as it was, with this connection's expiry.
            link.session.expirySeconds = expiry;
            link.leave(null);
            return;
        }
        ready = true;
        link.resume(expiry, outbound);
        ctx.channel().config().setAutoRead(true);
        MqttMessage m;
        while (!closed && (m = early.poll()) != null) {
            channelRead(ctx, m);
        }
    }

    private static Object value(MqttProperties props, MqttPropertyType type) {
        MqttProperties.MqttProperty<?> p = props.getProperty(type.value());
        return p == null ? null : p.value();
    }

    /** CONNACK "Bad user name or password" ({@link Connacks#badCredentials}), then close. */
    private void refuseCredentials(String reason) {
        closed = true;
        ctx.writeAndFlush(Connacks.badCredentials(version == MqttVersion.MQTT_5, reason))
                .addListener(ChannelFutureListener.CLOSE);
    }

    private void refuse(MqttConnectReturnCode code) {
        closed = true;
        ctx.writeAndFlush(Connacks.refused(code)).addListener(ChannelFutureListener.CLOSE);
    }

    MqttMessage pubReply(MqttMessageType type, int packetId, byte reason) {
        // PUBREL's fixed header flags are 0010 (3.6.1-1); the others' 0000.
        MqttQoS q = type == MqttMessageType.PUBREL ? MqttQoS.AT_LEAST_ONCE : MqttQoS.AT_MOST_ONCE;
        Object vh = version == MqttVersion.MQTT_5
                ? new MqttPubReplyMessageVariableHeader(packetId, reason, MqttProperties.NO_PROPERTIES)
                : MqttMessageIdVariableHeader.from(packetId);
        return new MqttMessage(new MqttFixedHeader(type, false, q, false, 0), vh);
    }

    private void onDisconnect(MqttMessage m) {
        boolean withWill = false;
        if (version == MqttVersion.MQTT_5 && m.variableHeader()
                instanceof io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader rh) {
            withWill = rh.reasonCode() == RC_DISCONNECT_WITH_WILL;
            Object se = value(rh.properties(), MqttPropertyType.SESSION_EXPIRY_INTERVAL);
            if (se instanceof Integer i) {
                if (link.session.expirySeconds == 0 && i != 0) {
                    // 3.14.2.2.2: a session that was to end with the connection cannot be kept now.
                    close("DISCONNECT sets a Session Expiry Interval after CONNECT had 0", RC_PROTOCOL_ERROR);
                    return;
                }
                link.session.expirySeconds = Math.min(Integer.toUnsignedLong(i), gw.config().maxSessionExpiry().toSeconds());
            }
        }
        cleanDisconnect = !withWill;
        closed = true;
        ctx.close();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            if (connected) {
                close("no packet within 1.5 × keep alive", RC_KEEP_ALIVE_TIMEOUT);
            } else {
                log.info("MQTT connection {} closed: no CONNECT within {}", id, gw.config().connectTimeout());
                closed = true;
                ctx.close();
            }
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.info("MQTT connection {} ({}) closed after an error: {}", id, clientId, cause.toString());
        closed = true;
        ctx.close();
    }

    /**
     * Closes because of the server or a protocol violation: v5 clients get a DISCONNECT with {@code reason}
     * first (3.1.1 has no server DISCONNECT). Logs one line.
     */
    void close(String why, byte reason) {
        if (closed) {
            return;
        }
        closed = true;
        log.info("MQTT client {} ({}) disconnected: {}", clientId, id, why);
        if (connected && version == MqttVersion.MQTT_5) {
            ctx.writeAndFlush(MqttMessageBuilders.disconnect().reasonCode(reason).build())
                    .addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        closed = true;
        MqttMessage m;
        while ((m = early.poll()) != null) {
            ReferenceCountUtil.release(m);
        }
        if (connected) {
            connected = false;
            gw.metrics().connections(-1);
            if (ready) {
                Subscriptions.leaveShared(gw, link.session.subs, this);
                gw.router().detach(gw.config().namespace(), this);
                link.leave(outbound);
            }
            if (will != null && !cleanDisconnect) {
                inbound.lastWill(will, link.session, clientId, loop);
            }
        }
        super.channelInactive(ctx);
    }

    // ---------------------------------------------------------------- for Subscriptions

    ChannelHandlerContext ctx() {
        return ctx;
    }

    MqttVersion version() {
        return version;
    }

    String clientId() {
        return clientId;
    }

    SessionLink link() {
        return link;
    }

    /** Whether the connection is still past CONNECT and not closing. */
    boolean isOpen() {
        return connected && !closed;
    }

    static ByteBuf wrap(byte[] b) {
        return Unpooled.wrappedBuffer(b);
    }
}
