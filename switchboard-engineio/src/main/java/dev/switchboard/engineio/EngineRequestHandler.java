package dev.switchboard.engineio;

import dev.switchboard.transport.HttpHandler;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.ReadOnlyHttpHeaders;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.ssl.SslHandler;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Engine.IO route: checks each request as engine.io's {@code Server#verify} does (transport,
 * origin header, sid, transport mismatch, protocol version, handshake method, {@code allowRequest}),
 * answers refusals with the official codes, opens sessions, and hands requests with a sid to their
 * session's event loop. Runs on the request channel's loop; stateless apart from the server.
 */
final class EngineRequestHandler implements HttpHandler {

    private static final Logger log = LoggerFactory.getLogger(EngineRequestHandler.class);

    private final DefaultEngineIoServer server;
    private final EngineIoConfig config;
    private final WebSocketDecoderConfig wsDecoderConfig;
    /** gzip and deflate for polling answers, or null when HTTP compression is off. */
    private final HttpCompression[] httpCompression;

    EngineRequestHandler(DefaultEngineIoServer server) {
        this.server = server;
        this.config = server.config();
        this.wsDecoderConfig = WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(config.maxPayload()) // as ws's maxPayload = maxHttpBufferSize
                .allowExtensions(config.perMessageDeflate()) // RSV1 marks a deflated message
                .closeOnProtocolViolation(true)
                .build();
        this.httpCompression = config.httpCompression() ? HttpCompression.forThreshold(config.httpCompressionThreshold()) : null;
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest req) {
        Channel ch = ctx.channel();
        boolean upgrade = isWebSocketUpgrade(req);
        Map<String, String> query = query(req.uri());
        TransportKind kind = TransportKind.fromProtocolName(query.get("transport"));
        if (kind == null || !config.transports().contains(kind)) {
            abort(ch, upgrade, EngineIoError.UNKNOWN_TRANSPORT, null);
            return;
        }
        String origin = req.headers().get(HttpHeaderNames.ORIGIN);
        if (origin != null && hasInvalidHeaderChar(origin)) {
            abort(ch, upgrade, EngineIoError.BAD_REQUEST, null);
            return;
        }
        String sid = query.get("sid");
        if (sid != null) {
            handleExisting(ctx, req, query, kind, upgrade, sid);
        } else {
            handshake(ctx, req, query, kind, upgrade);
        }
    }

    private void handleExisting(ChannelHandlerContext ctx, FullHttpRequest req, Map<String, String> query,
                                TransportKind kind, boolean upgrade, String sid) {
        Channel ch = ctx.channel();
        Session s = server.find(sid);
        if (s == null) {
            abort(ch, upgrade, EngineIoError.UNKNOWN_SID, null);
            return;
        }
        if (!upgrade && s.transport() != kind) {
            // includes polling with the sid of a session that upgraded to WebSocket
            abort(ch, false, EngineIoError.BAD_REQUEST, null);
            return;
        }
        if (!"4".equals(query.get("EIO"))) {
            abort(ch, upgrade, EngineIoError.BAD_REQUEST, null); // protocol mismatch
            return;
        }
        if (upgrade) {
            if (kind != TransportKind.WEBSOCKET) {
                abort(ch, true, EngineIoError.BAD_REQUEST, null);
                return;
            }
            WebSocketFrameHandler frames = new WebSocketFrameHandler(s);
            if (upgradeChannel(ctx, req, frames) != null) {
                if (s.eventLoop().inEventLoop()) {
                    s.attachProbe(ch);
                } else if (!s.run(() -> s.attachProbe(ch))) {
                    ch.close();
                }
            }
            return;
        }
        HttpMethod method = req.method();
        if (HttpMethod.GET.equals(method)) {
            HttpCompression.remember(ch, req.headers(), httpCompression);
            if (s.eventLoop().inEventLoop()) {
                s.onPollRequest(ch);
            } else if (!s.run(() -> s.onPollRequest(ch))) {
                abort(ch, false, EngineIoError.UNKNOWN_SID, null);
            }
        } else if (HttpMethod.POST.equals(method)) {
            boolean octet = HttpHeaderValues.APPLICATION_OCTET_STREAM.contentEqualsIgnoreCase(
                    String.valueOf(req.headers().get(HttpHeaderNames.CONTENT_TYPE)));
            ByteBuf body = req.content().retain(); // the router releases the request; the session releases this
            if (s.eventLoop().inEventLoop()) {
                s.onDataRequest(ch, body, octet);
            } else if (!s.run(() -> s.onDataRequest(ch, body, octet))) {
                body.release();
                abort(ch, false, EngineIoError.UNKNOWN_SID, null);
            }
        } else {
            abort(ch, false, EngineIoError.BAD_REQUEST, null);
        }
    }

    private void handshake(ChannelHandlerContext ctx, FullHttpRequest req, Map<String, String> query,
                           TransportKind kind, boolean upgrade) {
        Channel ch = ctx.channel();
        if (!HttpMethod.GET.equals(req.method())) {
            abort(ch, upgrade, EngineIoError.BAD_HANDSHAKE_METHOD, null);
            return;
        }
        if (kind == TransportKind.WEBSOCKET && !upgrade) {
            abort(ch, false, EngineIoError.BAD_REQUEST, null);
            return;
        }
        if (kind == TransportKind.POLLING && upgrade) {
            abort(ch, true, EngineIoError.BAD_REQUEST, null);
            return;
        }
        if (server.isClosed()) {
            HttpResponses.empty(ch, HttpResponseStatus.SERVICE_UNAVAILABLE);
            return;
        }
        Handshake handshake = new Handshake(readOnlyCopy(req.headers()), query, ch.remoteAddress(),
                ch.pipeline().get(SslHandler.class) != null, System.currentTimeMillis(), req.uri());
        String refusal;
        try {
            refusal = config.allowRequest().check(handshake);
        } catch (RuntimeException e) {
            log.warn("engine.io allowRequest failed for {}: {}", ch.remoteAddress(), e.toString());
            refusal = EngineIoError.FORBIDDEN.message;
        }
        if (refusal != null) {
            abort(ch, upgrade, EngineIoError.FORBIDDEN, refusal);
            return;
        }
        if (!"4".equals(query.get("EIO"))) {
            abort(ch, upgrade, EngineIoError.UNSUPPORTED_PROTOCOL_VERSION, null);
            return;
        }
        if (kind == TransportKind.POLLING) {
            Session s = server.newSession(handshake, ch, TransportKind.POLLING);
            s.openPolling(ch);
            return;
        }
        WebSocketFrameHandler frames = new WebSocketFrameHandler(null);
        ChannelFuture done = upgradeChannel(ctx, req, frames);
        if (done == null) {
            return;
        }
        done.addListener(f -> {
            if (f.isSuccess() && ch.isActive()) {
                Session s = server.newSession(handshake, ch, TransportKind.WEBSOCKET);
                frames.bind(s);
                s.openWebSocket(ch);
            } else {
                ch.close();
            }
        });
    }

    /**
     * Performs the WebSocket handshake with Netty's handshaker and puts the frame handler in the
     * router's place; null when the client's WebSocket version is unsupported (already answered).
     */
    private ChannelFuture upgradeChannel(ChannelHandlerContext ctx, FullHttpRequest req, WebSocketFrameHandler frames) {
        Channel ch = ctx.channel();
        boolean secure = ch.pipeline().get(SslHandler.class) != null;
        String url = (secure ? "wss://" : "ws://") + req.headers().get(HttpHeaderNames.HOST, "localhost") + req.uri();
        WebSocketServerHandshakerFactory factory = new WebSocketServerHandshakerFactory(url, null, wsDecoderConfig);
        WebSocketServerHandshaker handshaker = factory.newHandshaker(req);
        if (handshaker == null) {
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ch);
            return null;
        }
        WsDeflate.Negotiated deflate = config.perMessageDeflate()
                ? WsDeflate.negotiate(req.headers(), config.perMessageDeflateThreshold(), config.maxPayload()) : null;
        HttpHeaders answer = null;
        if (deflate != null) {
            answer = new DefaultHttpHeaders().set(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS, deflate.responseHeader());
            ch.attr(WsDeflate.KEY).set(deflate.deflate());
        }
        ChannelFuture done = handshaker.handshake(ch, req, answer, ch.newPromise());
        done.addListener(f -> {
            if (f.isSuccess()) {
                // Engine.IO's heartbeat closes silent peers: the transport's idle detection can go.
                HttpHandler.trimAfterWebSocketUpgrade(ch.pipeline(), true);
            }
        });
        if (deflate != null) {
            // after Netty's frame decoder, before the aggregator: inflates client messages with RSV1
            ctx.pipeline().addBefore(ROUTER_NAME, "ws-inflater", deflate.decoder());
        }
        ctx.pipeline().addBefore(ROUTER_NAME, "ws-aggregator", new WebSocketFrameAggregator(config.maxPayload()));
        ctx.pipeline().replace(ROUTER_NAME, "engineio-ws", frames);
        return done;
    }

    private static void abort(Channel ch, boolean upgrade, EngineIoError error, String message) {
        String text = message != null ? message : error.message;
        if (upgrade) {
            HttpResponses.abortUpgrade(ch, text);
        } else {
            HttpResponses.error(ch, error, text);
        }
    }

    /**
     * A request the transport refused with 413 before this route saw it (its body passed the
     * aggregator's limit, maxPayload + 64 KiB when sized by {@link EngineIoServer#fitTransport}): a
     * POST with the sid of a polling session closes that session, as a POST over maxPayload that got
     * through does (engine.io answers 413 for both; we also close the session).
     */
    @Override
    public void oversizedRequest(Channel ch, HttpRequest req) {
        if (!HttpMethod.POST.equals(req.method())) {
            return;
        }
        String sid = query(req.uri()).get("sid");
        Session s = sid == null ? null : server.find(sid);
        if (s == null) {
            return;
        }
        String declared = req.headers().get(HttpHeaderNames.CONTENT_LENGTH); // null when chunked
        if (s.eventLoop().inEventLoop()) {
            s.onOversizedDataRequest(declared);
        } else {
            s.run(() -> s.onOversizedDataRequest(declared));
        }
    }

    @Override
    public CompletionStage<Void> shutdown() {
        return server.close();
    }

    static boolean isWebSocketUpgrade(FullHttpRequest req) {
        return HttpMethod.GET.equals(req.method())
                && req.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
    }

    /** Query parameters, the last value of a repeated name winning (as Node's objectFromEntries). */
    static Map<String, String> query(String uri) {
        Map<String, List<String>> params = new QueryStringDecoder(uri).parameters();
        Map<String, String> out = new HashMap<>(params.size() * 2);
        params.forEach((k, v) -> {
            if (!v.isEmpty()) {
                out.put(Canonical.string(k), Canonical.string(v.get(v.size() - 1)));
            }
        });
        return out;
    }

    private static HttpHeaders readOnlyCopy(HttpHeaders headers) {
        CharSequence[] pairs = new CharSequence[headers.size() * 2];
        int i = 0;
        for (Map.Entry<String, String> e : headers) {
            pairs[i++] = Canonical.headerName(e.getKey());
            pairs[i++] = Canonical.string(e.getValue());
        }
        return new ReadOnlyHttpHeaders(false, pairs);
    }

    /** engine.io's checkInvalidHeaderChar: only HTAB, visible ASCII and obs-text are allowed. */
    static boolean hasInvalidHeaderChar(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean ok = c == '\t' || (c >= 0x20 && c != 0x7f && c <= 0xff);
            if (!ok) {
                return true;
            }
        }
        return false;
    }
}
