package dev.switchboard.server.durable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.core.spi.StoreException;
import dev.switchboard.transport.HttpHandler;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /api/history} and {@code /api/inbox}: the HTTP side of {@link DurablePlane}. Mounted next to
 * the HTTP API (longer prefixes win), with the same bearer token and JSON error shape
 * ({@code {"error": code, "message": reason}}).
 *
 * <ul>
 *   <li>{@code GET /api/history?namespace=/&room=R&from=<offset>|since=<epoch ms>&limit=N}: 200 with
 *       {@code {namespace, room, firstOffset, nextOffset, truncated, messages: [{offset, time,
 *       recoveryOffset, event, args}]}}; 404 when the room is not durable.</li>
 *   <li>{@code POST /api/inbox} {@code {"user":..,"event":..,"data":..}} (or {@code "args": [..]}):
 *       201 {@code {"id":..,"user":..}} only once the message is stored.</li>
 *   <li>{@code GET /api/inbox?user=U}: 200 {@code {"user", "depth"}} (stored, not yet acked).</li>
 *   <li>{@code GET /api/inbox/dead?user=U&limit=N}: 200 {@code {"user", "messages": [{id, enqueuedAt,
 *       attempts, event, args}]}}.</li>
 * </ul>
 * A store that is not open or is overloaded answers 503. Parsing runs on the event loop (small, bounded
 * bodies); the answer is written when the store's stage completes, from the store's thread.
 */
public final class DurableApiRoute implements HttpHandler {

    public static final String HISTORY = "/api/history";
    public static final String INBOX = "/api/inbox";
    private static final Logger log = LoggerFactory.getLogger(DurableApiRoute.class);
    private static final Set<String> RESERVED_EVENTS =
            Set.of("connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener");

    private final DurablePlane plane;
    private final byte[] token;
    private final long maxBody;
    private final ObjectMapper mapper = new ObjectMapper();

    /**
     * @param token   bearer token required of every request; empty for none (as switchboard.api.token)
     * @param maxBody larger bodies answer 413
     */
    public DurableApiRoute(DurablePlane plane, String token, long maxBody) {
        this.plane = plane;
        this.token = token.getBytes(StandardCharsets.UTF_8);
        this.maxBody = maxBody;
    }

    /** An answer with a status and a JSON body. */
    private record Answer(int status, Object body) {}

    private static final class ApiFailure extends RuntimeException {
        final int status;
        final String code;

        ApiFailure(int status, String code, String message) {
            super(message, null, false, false);
            this.status = status;
            this.code = code;
        }
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        String what = request.method() + " " + request.uri();
        CompletionStage<Answer> answer;
        try {
            answer = route(request);
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((a, err) -> {
            if (err != null) {
                a = failure(what, err);
            }
            write(ctx, keepAlive, a);
        });
    }

    private CompletionStage<Answer> route(FullHttpRequest request) {
        QueryStringDecoder q = new QueryStringDecoder(request.uri());
        String path = q.path().endsWith("/") ? q.path().substring(0, q.path().length() - 1) : q.path();
        authorise(request);
        if (request.content().readableBytes() > maxBody) {
            throw new ApiFailure(413, "payload_too_large", "the body is larger than " + maxBody + " bytes");
        }
        switch (path) {
            case HISTORY -> {
                method(request, HttpMethod.GET);
                return history(q);
            }
            case INBOX -> {
                if (request.method().equals(HttpMethod.GET)) {
                    String user = required(q, "user");
                    return plane.inboxDepth(user).thenApply(d -> {
                        ObjectNode o = mapper.createObjectNode();
                        o.put("user", user);
                        o.put("depth", d);
                        return new Answer(200, o);
                    });
                }
                method(request, HttpMethod.POST);
                return sendToInbox(request);
            }
            case INBOX + "/dead" -> {
                method(request, HttpMethod.GET);
                String user = required(q, "user");
                int limit = intParam(q, "limit", 100, 1, DurablePlane.MAX_HISTORY);
                return plane.deadLetters(user, limit).thenApply(list -> {
                    ObjectNode o = mapper.createObjectNode();
                    o.put("user", user);
                    var arr = o.putArray("messages");
                    for (DurablePlane.InboxMessage m : list) {
                        ObjectNode e = arr.addObject();
                        e.put("id", m.id());
                        e.put("enqueuedAt", m.enqueuedAtMillis());
                        e.put("attempts", m.attempt());
                        e.put("event", m.event());
                        e.set("args", mapper.valueToTree(m.args()));
                    }
                    return new Answer(200, o);
                });
            }
            default -> throw new ApiFailure(404, "not_found", "no API operation at " + q.path());
        }
    }

    private CompletionStage<Answer> history(QueryStringDecoder q) {
        String ns = param(q, "namespace", "/");
        String room = required(q, "room");
        if (!ns.startsWith("/") || ns.indexOf('#') >= 0) {
            throw new ApiFailure(400, "bad_request", "namespace must start with '/' and not contain '#'");
        }
        if (!plane.isDurable(ns, room)) {
            throw new ApiFailure(404, "not_durable", "room " + room + " of namespace " + ns
                    + " is not durable (see switchboard.durable.rooms)");
        }
        int limit = intParam(q, "limit", 100, 1, DurablePlane.MAX_HISTORY);
        boolean hasFrom = q.parameters().containsKey("from");
        boolean hasSince = q.parameters().containsKey("since");
        if (hasFrom && hasSince) {
            throw new ApiFailure(400, "bad_request", "give either from (an offset) or since (epoch milliseconds), not both");
        }
        CompletionStage<DurablePlane.History> h = hasSince
                ? plane.historySince(ns, room, longParam(q, "since"), limit)
                : plane.historyFrom(ns, room, hasFrom ? longParam(q, "from") : 0, limit);
        return h.thenApply(history -> new Answer(200, history));
    }

    private CompletionStage<Answer> sendToInbox(FullHttpRequest request) {
        if (!plane.inboxesEnabled()) {
            throw new ApiFailure(404, "not_found", "inboxes are off (switchboard.inbox.enabled = false)");
        }
        JsonNode body;
        try {
            body = mapper.readTree(ByteBufUtil.getBytes(request.content()));
        } catch (IOException e) {
            throw new ApiFailure(400, "bad_request", "the body is not JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (body == null || !body.isObject()) {
            throw new ApiFailure(400, "bad_request", "expected a JSON object {\"user\", \"event\", \"data\" or \"args\"}");
        }
        for (var it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!Set.of("user", "event", "data", "args").contains(f)) {
                throw new ApiFailure(400, "bad_request", "unknown field '" + f + "' (known: user, event, data, args)");
            }
        }
        String user = body.path("user").isTextual() ? body.path("user").asText() : "";
        String event = body.path("event").isTextual() ? body.path("event").asText() : "";
        if (user.isBlank() || user.length() > 256) {
            throw new ApiFailure(400, "bad_request", "user: a non-empty string of at most 256 characters is required");
        }
        if (event.isEmpty() || RESERVED_EVENTS.contains(event)) {
            throw new ApiFailure(400, "bad_request", "event: a non-empty, non-reserved event name is required");
        }
        if (body.has("data") && body.has("args")) {
            throw new ApiFailure(400, "bad_request", "give either data (one argument) or args (a list), not both");
        }
        List<Object> args = new ArrayList<>();
        if (body.has("args")) {
            if (!body.get("args").isArray()) {
                throw new ApiFailure(400, "bad_request", "args must be a JSON array");
            }
            body.get("args").forEach(a -> args.add(mapper.convertValue(a, Object.class)));
        } else if (body.has("data")) {
            args.add(mapper.convertValue(body.get("data"), Object.class));
        }
        return plane.sendToInbox(user, event, args).thenApply(id -> {
            ObjectNode o = mapper.createObjectNode();
            o.put("id", id);
            o.put("user", user);
            return new Answer(201, o);
        });
    }

    // ---- helpers ----

    private void authorise(FullHttpRequest request) {
        if (token.length == 0) {
            return;
        }
        String header = request.headers().get(HttpHeaderNames.AUTHORIZATION, "");
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7)
                || !MessageDigest.isEqual(header.substring(7).trim().getBytes(StandardCharsets.UTF_8), token)) {
            throw new ApiFailure(401, "unauthorized", "missing or wrong bearer token: send 'Authorization: Bearer <token>'");
        }
    }

    private static void method(FullHttpRequest request, HttpMethod expected) {
        if (!request.method().equals(expected)) {
            throw new ApiFailure(405, "method_not_allowed", "use " + expected.name());
        }
    }

    private static String param(QueryStringDecoder q, String name, String otherwise) {
        List<String> v = q.parameters().get(name);
        return v == null || v.isEmpty() ? otherwise : v.get(0);
    }

    private static String required(QueryStringDecoder q, String name) {
        String v = param(q, name, "");
        if (v.isEmpty()) {
            throw new ApiFailure(400, "bad_request", "query parameter '" + name + "' is required");
        }
        return v;
    }

    private static long longParam(QueryStringDecoder q, String name) {
        String v = param(q, name, "");
        try {
            long l = Long.parseLong(v);
            if (l < 0) {
                throw new NumberFormatException();
            }
            return l;
        } catch (NumberFormatException e) {
            throw new ApiFailure(400, "bad_request", "query parameter '" + name + "' must be a whole number >= 0, found '" + v + "'");
        }
    }

    private static int intParam(QueryStringDecoder q, String name, int otherwise, int min, int max) {
        if (!q.parameters().containsKey(name)) {
            return otherwise;
        }
        long v = longParam(q, name);
        if (v < min || v > max) {
            throw new ApiFailure(400, "bad_request", "query parameter '" + name + "' must be within " + min + ".." + max);
        }
        return (int) v;
    }

    private Answer failure(String what, Throwable err) {
        Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        if (cause instanceof ApiFailure f) {
            return error(f.status, f.code, f.getMessage());
        }
        if (cause instanceof StoreException s) {
            return switch (s.reason()) {
                case OVERLOADED, CLOSED -> error(503, "unavailable", s.getMessage());
                case QUEUE_FULL -> error(507, "queue_full", s.getMessage());
                case FAILED -> error(500, "store_failed", s.getMessage());
            };
        }
        if (cause instanceof IllegalArgumentException) {
            return error(400, "bad_request", cause.getMessage());
        }
        log.warn("api {} failed: {}", what, cause.toString());
        return error(500, "internal_error", "the server could not complete the request");
    }

    private Answer error(int status, String code, String message) {
        ObjectNode o = mapper.createObjectNode();
        o.put("error", code);
        o.put("message", message);
        return new Answer(status, o);
    }

    private void write(ChannelHandlerContext ctx, boolean keepAlive, Answer a) {
        byte[] body;
        try {
            body = mapper.writeValueAsBytes(a.body());
        } catch (IOException e) {
            body = "{\"error\":\"internal_error\"}".getBytes(StandardCharsets.UTF_8);
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(a.status()), Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=utf-8");
        HttpUtil.setContentLength(response, body.length);
        HttpUtil.setKeepAlive(response, keepAlive);
        var written = ctx.writeAndFlush(response);
        if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }
}
