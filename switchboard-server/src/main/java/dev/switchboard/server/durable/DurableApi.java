package dev.switchboard.server.durable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.server.api.ApiEndpoint;
import dev.switchboard.server.api.ApiError;
import dev.switchboard.server.api.ApiRequest;
import dev.switchboard.server.api.ApiResponse;
import dev.switchboard.server.api.HttpApi;
import dev.switchboard.server.api.ReservedEvents;
import dev.switchboard.server.auth.AuthSettings;
import dev.switchboard.core.spi.StoreException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * {@code /api/history} and {@code /api/inbox}: the HTTP side of {@link DurablePlane}, as endpoints of
 * {@link HttpApi} (which checks the token, scope {@code history} or {@code inbox}, and renders errors).
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
 * A store that is not open or is overloaded answers 503. Stages complete on the store's threads.
 */
public final class DurableApi {

    public static final String HISTORY = HttpApi.PREFIX + "history";
    public static final String INBOX = HttpApi.PREFIX + "inbox";

    private final DurablePlane plane;
    private final ObjectMapper mapper = new ObjectMapper();

    public DurableApi(DurablePlane plane) {
        this.plane = plane;
    }

    /** The endpoints to serve with {@link HttpApi}. */
    public List<ApiEndpoint> endpoints() {
        return List.of(
                new ApiEndpoint("GET", HISTORY, AuthSettings.Scope.HISTORY, "history", r -> answer(history(r))),
                new ApiEndpoint("POST", INBOX, AuthSettings.Scope.INBOX, "inbox_send", r -> answer(sendToInbox(r))),
                new ApiEndpoint("GET", INBOX, AuthSettings.Scope.INBOX, "inbox_depth", r -> answer(depth(r))),
                new ApiEndpoint("GET", INBOX + "/dead", AuthSettings.Scope.INBOX, "inbox_dead", r -> answer(dead(r))));
    }

    /** An answer with a status and a body rendered as JSON. */
    private record Answer(int status, Object body) {}

    private CompletableFuture<ApiResponse> answer(CompletionStage<Answer> stage) {
        return stage.toCompletableFuture().handle((a, err) -> {
            if (err != null) {
                throw toApiError(err);
            }
            try {
                return ApiResponse.json(a.status(), mapper.writeValueAsBytes(a.body()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private CompletionStage<Answer> history(ApiRequest q) {
        String ns = q.query().getOrDefault("namespace", "/");
        String room = required(q, "room");
        if (!ns.startsWith("/") || ns.indexOf('#') >= 0) {
            throw ApiError.badRequest("namespace must start with '/' and not contain '#'");
        }
        if (!plane.isDurable(ns, room)) {
            throw new ApiError(404, "not_durable", "room " + room + " of namespace " + ns
                    + " is not durable (see switchboard.durable.rooms)");
        }
        int limit = intParam(q, "limit", 100, 1, DurablePlane.MAX_HISTORY);
        boolean hasFrom = q.query().containsKey("from");
        boolean hasSince = q.query().containsKey("since");
        if (hasFrom && hasSince) {
            throw ApiError.badRequest("give either from (an offset) or since (epoch milliseconds), not both");
        }
        CompletionStage<DurablePlane.History> h = hasSince
                ? plane.historySince(ns, room, longParam(q, "since"), limit)
                : plane.historyFrom(ns, room, hasFrom ? longParam(q, "from") : 0, limit);
        return h.thenApply(history -> new Answer(200, history));
    }

    private CompletionStage<Answer> depth(ApiRequest q) {
        String user = required(q, "user");
        return plane.inboxDepth(user).thenApply(d -> {
            ObjectNode o = mapper.createObjectNode();
            o.put("user", user);
            o.put("depth", d);
            return new Answer(200, o);
        });
    }

    private CompletionStage<Answer> dead(ApiRequest q) {
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

    private CompletionStage<Answer> sendToInbox(ApiRequest request) {
        if (!plane.inboxesEnabled()) {
            throw new ApiError(404, "not_found", "inboxes are off (switchboard.inbox.enabled = false)");
        }
        JsonNode body;
        try {
            body = mapper.readTree(request.body());
        } catch (IOException e) {
            throw ApiError.badRequest("the body is not JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (body == null || !body.isObject()) {
            throw ApiError.badRequest("expected a JSON object {\"user\", \"event\", \"data\" or \"args\"}");
        }
        for (var it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!Set.of("user", "event", "data", "args").contains(f)) {
                throw ApiError.badRequest("unknown field '" + f + "' (known: user, event, data, args)");
            }
        }
        String user = body.path("user").isTextual() ? body.path("user").asText() : "";
        String event = body.path("event").isTextual() ? body.path("event").asText() : "";
        if (user.isBlank() || user.length() > 256) {
            throw ApiError.badRequest("user: a non-empty string of at most 256 characters is required");
        }
        ReservedEvents.require("event", event);
        if (body.has("data") && body.has("args")) {
            throw ApiError.badRequest("give either data (one argument) or args (a list), not both");
        }
        List<Object> args = new ArrayList<>();
        if (body.has("args")) {
            if (!body.get("args").isArray()) {
                throw ApiError.badRequest("args must be a JSON array");
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

    private static String required(ApiRequest q, String name) {
        String v = q.query().getOrDefault(name, "");
        if (v.isEmpty()) {
            throw ApiError.badRequest("query parameter '" + name + "' is required");
        }
        return v;
    }

    private static long longParam(ApiRequest q, String name) {
        String v = q.query().getOrDefault(name, "");
        try {
            long l = Long.parseLong(v);
            if (l < 0) {
                throw new NumberFormatException();
            }
            return l;
        } catch (NumberFormatException e) {
            throw ApiError.badRequest("query parameter '" + name + "' must be a whole number >= 0, found '" + v + "'");
        }
    }

    private static int intParam(ApiRequest q, String name, int otherwise, int min, int max) {
        if (!q.query().containsKey(name)) {
            return otherwise;
        }
        long v = longParam(q, name);
        if (v < min || v > max) {
            throw ApiError.badRequest("query parameter '" + name + "' must be within " + min + ".." + max);
        }
        return (int) v;
    }

    /** The store's failures as API errors; anything else stays as it is (a 500, logged once by HttpApi). */
    private static RuntimeException toApiError(Throwable err) {
        Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        if (cause instanceof ApiError a) {
            return a;
        }
        if (cause instanceof StoreException s) {
            return switch (s.reason()) {
                case OVERLOADED, CLOSED -> new ApiError(503, "unavailable", s.getMessage());
                case QUEUE_FULL -> new ApiError(507, "queue_full", s.getMessage());
                case FAILED -> new ApiError(500, "store_failed", s.getMessage());
            };
        }
        if (cause instanceof IllegalArgumentException) {
            return ApiError.badRequest(cause.getMessage());
        }
        return cause instanceof RuntimeException r ? r : new CompletionException(cause);
    }
}
