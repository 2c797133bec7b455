package dev.switchboard.server.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API under {@code /api/}: a table of {@link ApiEndpoint}s (its own Socket.IO operations plus
 * those given to it, such as the durable plane's history and inboxes), each found by path and method,
 * authorised by the one {@link ApiAuth} check with the endpoint's scope, then handled; it calls
 * {@link SocketAdmin} and renders JSON. Described by {@code /api/openapi.json} (a checked-in resource
 * served as is).
 *
 * <p>Every answer is JSON; errors are {@code {"error": code, "message": reason}} with 400 (malformed
 * request), 401 (missing or wrong bearer token), 403 (a token without the operation's scope), 404 (unknown
 * route, namespace or socket), 405 or 500. The token is checked before the request is validated: a caller
 * without one learns nothing about its request. Stateless and thread-safe: it may run on any transport
 * thread, as long as {@link SocketAdmin} and the handlers do.
 */
public final class HttpApi {

    public static final String PREFIX = "/api/";
    static final String OPENAPI_RESOURCE = "dev/switchboard/server/web/openapi.json";

    private static final Logger log = LoggerFactory.getLogger(HttpApi.class);
    /** Longest wait for acknowledgements a publish may ask for. */
    static final long MAX_ACK_TIMEOUT_MS = 60_000;
    /** Publishes waiting for acknowledgements at once; more are answered 503. */
    static final int MAX_ACKS_IN_FLIGHT = 256;

    private final java.util.concurrent.Semaphore acksInFlight = new java.util.concurrent.Semaphore(MAX_ACKS_IN_FLIGHT);

    private final SocketAdmin admin;
    private final ApiAuth auth;
    /** Path (no trailing slash) to its endpoints, one per method. */
    private final Map<String, List<ApiEndpoint>> endpoints = new java.util.LinkedHashMap<>();
    private final ObjectMapper mapper = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .build();
    private final byte[] openApi;
    private final MeterRegistry registry;

    /**
     * The Socket.IO operations only, with one static token of every scope.
     *
     * @param token    the bearer token every request must carry; empty for none
     * @param registry where request latencies go ({@code switchboard_api_request_seconds})
     */
    public HttpApi(SocketAdmin admin, String token, MeterRegistry registry) {
        this(admin, ApiAuth.staticToken(token), registry, List.of());
    }

    /**
     * @param auth  the token check of every endpoint
     * @param extra endpoints served next to the Socket.IO operations (their paths under {@link #PREFIX})
     */
    public HttpApi(SocketAdmin admin, ApiAuth auth, MeterRegistry registry, List<ApiEndpoint> extra) {
        this.admin = admin;
        this.auth = auth;
        this.registry = registry;
        this.openApi = loadOpenApi();
        List<ApiEndpoint> all = new ArrayList<>(List.of(
                new ApiEndpoint("GET", PREFIX + "openapi.json", null, "openapi",
                        r -> CompletableFuture.completedFuture(ApiResponse.json(200, openApi))),
                sync("GET", "namespaces", Scope.ADMIN, r -> namespaces()),
                sync("GET", "rooms", Scope.ADMIN, this::rooms),
                sync("GET", "sockets", Scope.ADMIN, this::sockets),
                new ApiEndpoint("POST", PREFIX + "publish", Scope.PUBLISH, "publish", this::publish),
                sync("POST", "disconnect", Scope.ADMIN, this::disconnect),
                sync("POST", "join", Scope.ADMIN, r -> joinOrLeave(r, true)),
                sync("POST", "leave", Scope.ADMIN, r -> joinOrLeave(r, false))));
        all.addAll(extra);
        for (ApiEndpoint e : all) {
            if (!e.path().startsWith(PREFIX) || e.path().endsWith("/")) {
                throw new IllegalArgumentException("endpoint path must be under " + PREFIX + " without a trailing slash: " + e.path());
            }
            List<ApiEndpoint> same = endpoints.computeIfAbsent(e.path(), p -> new ArrayList<>());
            if (same.stream().anyMatch(o -> o.method().equals(e.method()))) {
                throw new IllegalArgumentException("two endpoints for " + e.method() + " " + e.path());
            }
            same.add(e);
        }
    }

    private static final class Scope {
        static final String PUBLISH = dev.switchboard.server.auth.AuthSettings.Scope.PUBLISH;
        static final String ADMIN = dev.switchboard.server.auth.AuthSettings.Scope.ADMIN;
    }

    private static ApiEndpoint sync(String method, String name, String scope,
                                    java.util.function.Function<ApiRequest, ApiResponse> op) {
        return new ApiEndpoint(method, PREFIX + name, scope, name, r -> CompletableFuture.completedFuture(op.apply(r)));
    }

    /** Every endpoint (for the OpenAPI check and documentation). */
    public List<ApiEndpoint> endpoints() {
        return endpoints.values().stream().flatMap(List::stream).toList();
    }

    /** Handles a request synchronously (every operation but a publish that waits for acknowledgements is). */
    public ApiResponse handle(ApiRequest request) {
        return handleAsync(request).join();
    }

    /**
     * Handles a request; the stage completes (never exceptionally) with the response, at once for every
     * synchronous operation, later for a publish with {@code ackTimeout} and for the durable plane's
     * operations (when the store answered).
     */
    public CompletableFuture<ApiResponse> handleAsync(ApiRequest request) {
        long start = System.nanoTime();
        String path = request.path().length() > 1 && request.path().endsWith("/")
                ? request.path().substring(0, request.path().length() - 1) : request.path();
        List<ApiEndpoint> candidates = endpoints.getOrDefault(path, List.of());
        ApiEndpoint endpoint = candidates.stream().filter(e -> e.method().equals(request.method())).findFirst().orElse(null);
        String operation = endpoint != null ? endpoint.operation()
                : candidates.isEmpty() ? "not_found" : candidates.get(0).operation();
        CompletableFuture<ApiResponse> response;
        try {
            response = dispatch(candidates, endpoint, request);
        } catch (RuntimeException e) {
            response = CompletableFuture.failedFuture(e);
        }
        return response.handle((r, e) -> {
            ApiResponse out = r != null ? r : errorResponse(request, e);
            Timer.builder("switchboard.api.request")
                    .description("HTTP API requests, by operation and status")
                    .tag("operation", operation)
                    .tag("status", Integer.toString(out.status()))
                    .publishPercentileHistogram()
                    .register(registry)
                    .record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
            return out;
        });
    }

    private CompletableFuture<ApiResponse> dispatch(List<ApiEndpoint> candidates, ApiEndpoint endpoint, ApiRequest request) {
        if (candidates.isEmpty()) {
            throw new ApiError(404, "not_found", "no API operation at " + request.path() + " (see /api/openapi.json)");
        }
        if (endpoint == null) {
            if (candidates.stream().anyMatch(e -> e.scope() != null)) {
                auth.check(request, null);
            }
            throw new ApiError(405, "method_not_allowed", request.path() + " takes "
                    + String.join(" or ", candidates.stream().map(ApiEndpoint::method).toList()) + ", not " + request.method());
        }
        if (endpoint.scope() != null) {
            auth.check(request, endpoint.scope());
        }
        return endpoint.handler().handle(request);
    }

    private ApiResponse errorResponse(ApiRequest request, Throwable e) {
        Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof ApiError a) {
            return error(a.status(), a.code(), a.getMessage());
        }
        if (cause instanceof dev.switchboard.core.spi.StoreException s) {
            // As the durable API answers a store's refusal: not open or overloaded is worth retrying (503).
            return switch (s.reason()) {
                case OVERLOADED, CLOSED -> error(503, "unavailable", s.getMessage());
                case QUEUE_FULL -> error(507, "queue_full", s.getMessage());
                case FAILED -> error(500, "store_failed", s.getMessage());
            };
        }
        log.warn("api {} {} failed: {}", request.method(), request.path(), cause.toString());
        return error(500, "internal_error", "the server could not complete the request");
    }

    /**
     * For shutdown: refuses new publishes that wait for acknowledgements (503) and waits up to
     * {@code timeout} for those in flight to get their answers (or time out on their own).
     *
     * @return true if none was left waiting
     */
    public boolean drainAcks(java.time.Duration timeout) throws InterruptedException {
        // Taking every permit both waits for the running ones and keeps new ones out.
        return acksInFlight.tryAcquire(MAX_ACKS_IN_FLIGHT, timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    // ---- operations ----

    private ApiResponse namespaces() {
        ArrayNode list = mapper.createArrayNode();
        for (SocketAdmin.NamespaceInfo n : admin.namespaces()) {
            list.addObject().put("name", n.name()).put("sockets", n.sockets()).put("rooms", n.rooms());
        }
        ObjectNode body = mapper.createObjectNode();
        body.set("namespaces", list);
        return ok(body);
    }

    private ApiResponse rooms(ApiRequest request) {
        String nsp = namespaceParam(request.query().get("namespace"));
        List<SocketAdmin.RoomInfo> rooms = admin.rooms(nsp).orElseThrow(() -> unknownNamespace(nsp));
        ObjectNode body = mapper.createObjectNode().put("namespace", nsp);
        ArrayNode list = body.putArray("rooms");
        rooms.forEach(r -> list.addObject().put("name", r.name()).put("members", r.members()));
        return ok(body);
    }

    private ApiResponse sockets(ApiRequest request) {
        String nsp = namespaceParam(request.query().get("namespace"));
        Optional<String> room = Optional.ofNullable(request.query().get("room"));
        if (room.isPresent() && room.get().isEmpty()) {
            throw badRequest("query parameter 'room' must not be empty");
        }
        List<SocketAdmin.SocketInfo> sockets = admin.sockets(nsp, room).orElseThrow(() -> unknownNamespace(nsp));
        ObjectNode body = mapper.createObjectNode().put("namespace", nsp);
        room.ifPresent(r -> body.put("room", r));
        body.set("sockets", mapper.valueToTree(sockets));
        return ok(body);
    }

    record PublishBody(String namespace, String event, JsonNode data, List<JsonNode> args, List<String> rooms,
                       List<String> except, Long ackTimeout) {}

    private CompletableFuture<ApiResponse> publish(ApiRequest request) {
        PublishBody b = parse(request, PublishBody.class);
        String nsp = namespaceField(b.namespace());
        ReservedEvents.require("event", b.event());
        if (b.data() != null && b.args() != null) {
            throw badRequest("give either 'data' (one argument) or 'args' (a list of arguments), not both");
        }
        if (b.ackTimeout() != null && (b.ackTimeout() < 1 || b.ackTimeout() > MAX_ACK_TIMEOUT_MS)) {
            throw badRequest("'ackTimeout' must be between 1 and " + MAX_ACK_TIMEOUT_MS + " milliseconds");
        }
        List<Object> args = new ArrayList<>();
        if (b.args() != null) {
            for (JsonNode a : b.args()) {
                args.add(mapper.convertValue(a, Object.class));
            }
        } else if (b.data() != null) {
            args.add(mapper.convertValue(b.data(), Object.class));
        }
        Set<String> rooms = names("rooms", b.rooms());
        Set<String> except = names("except", b.except());
        if (admin.rooms(nsp).isEmpty()) {
            throw unknownNamespace(nsp);
        }
        ObjectNode body = mapper.createObjectNode().put("namespace", nsp).put("event", b.event());
        if (b.ackTimeout() == null) {
            int recipients = admin.publish(nsp, rooms, except, b.event(), args);
            if (recipients >= 0) {
                body.put("recipients", recipients);
            }
            return CompletableFuture.completedFuture(ok(body));
        }
        // Waiting for acknowledgements holds no thread, but each waiting request holds memory: bounded.
        if (!acksInFlight.tryAcquire()) {
            throw new ApiError(503, "unavailable", "too many publishes are waiting for acknowledgements (at most "
                    + MAX_ACKS_IN_FLIGHT + "); retry later");
        }
        CompletableFuture<SocketAdmin.AckResult> acks;
        try {
            acks = admin.publishWithAck(nsp, rooms, except, b.event(), args,
                    java.time.Duration.ofMillis(b.ackTimeout())).toCompletableFuture();
        } catch (RuntimeException e) {
            acksInFlight.release();
            throw e;
        }
        return acks.whenComplete((r, e) -> acksInFlight.release()).thenApply(r -> {
            body.put("recipients", r.expected());
            ObjectNode a = body.putObject("acks");
            a.put("expected", r.expected()).put("received", r.responses().size()).put("timedOut", r.timedOut());
            a.set("responses", mapper.valueToTree(r.responses()));
            return ok(body);
        });
    }

    record DisconnectBody(String namespace, String socket, Boolean close) {}

    private ApiResponse disconnect(ApiRequest request) {
        DisconnectBody b = parse(request, DisconnectBody.class);
        String nsp = namespaceField(b.namespace());
        if (b.socket() == null || b.socket().isEmpty()) {
            throw badRequest("'socket' is required: the id of the socket to disconnect");
        }
        boolean close = Boolean.TRUE.equals(b.close());
        if (!admin.disconnect(nsp, b.socket(), close)) {
            throw new ApiError(404, "not_found", "no socket " + b.socket() + " in namespace " + nsp);
        }
        log.info("api: disconnected socket {} from {}{}", b.socket(), nsp, close ? " (connection closed)" : "");
        return ok(mapper.createObjectNode().put("namespace", nsp).put("socket", b.socket()).put("disconnected", true));
    }

    record MembershipBody(String namespace, List<String> sockets, List<String> in, List<String> rooms) {}

    private ApiResponse joinOrLeave(ApiRequest request, boolean join) {
        MembershipBody b = parse(request, MembershipBody.class);
        String nsp = namespaceField(b.namespace());
        Set<String> rooms = names("rooms", b.rooms());
        if (rooms.isEmpty()) {
            throw badRequest("'rooms' is required: the rooms to " + (join ? "join" : "leave"));
        }
        SocketAdmin.Selection selection =
                new SocketAdmin.Selection(names("sockets", b.sockets()), names("in", b.in()));
        if (admin.rooms(nsp).isEmpty()) {
            throw unknownNamespace(nsp);
        }
        int selected = join ? admin.join(nsp, selection, rooms) : admin.leave(nsp, selection, rooms);
        log.info("api: {} socket(s) of {} {} {}", selected, nsp, join ? "joined" : "left", rooms);
        ObjectNode body = mapper.createObjectNode().put("namespace", nsp).put("sockets", selected);
        ArrayNode r = body.putArray("rooms");
        rooms.forEach(r::add);
        return ok(body);
    }

    // ---- helpers ----

    private <T> T parse(ApiRequest request, Class<T> type) {
        if (request.body().length == 0) {
            throw badRequest("the request body must be a JSON object");
        }
        String contentType = request.header("content-type").orElse("application/json");
        if (!contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            throw new ApiError(415, "unsupported_media_type", "send the body as application/json, not " + contentType);
        }
        try {
            JsonNode tree = mapper.readTree(request.body());
            if (tree == null || !tree.isObject()) {
                throw badRequest("the request body must be a JSON object");
            }
            return mapper.treeToValue(tree, type);
        } catch (UnrecognizedPropertyException e) {
            throw badRequest("unknown field '" + e.getPropertyName() + "'; known fields: "
                    + String.join(", ", e.getKnownPropertyIds().stream().map(Object::toString).sorted().toList()));
        } catch (JsonProcessingException e) {
            throw badRequest("malformed JSON: " + e.getOriginalMessage()
                    + (e.getLocation() != null ? " at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr() : ""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String namespaceParam(String value) {
        if (value == null) {
            return "/";
        }
        return namespaceField(value);
    }

    private static String namespaceField(String value) {
        if (value == null) {
            return "/";
        }
        if (!value.startsWith("/")) {
            throw badRequest("'namespace' must start with '/', found \"" + value + "\"");
        }
        return value;
    }

    private static Set<String> names(String field, List<String> values) {
        if (values == null) {
            return Set.of();
        }
        Set<String> set = new LinkedHashSet<>();
        for (String v : values) {
            if (v == null || v.isEmpty()) {
                throw badRequest("'" + field + "' must contain non-empty strings");
            }
            set.add(v);
        }
        return set;
    }

    private static ApiError unknownNamespace(String nsp) {
        return new ApiError(404, "not_found", "no namespace " + nsp);
    }

    private static ApiError badRequest(String message) {
        return ApiError.badRequest(message);
    }

    private ApiResponse ok(JsonNode body) {
        try {
            return ApiResponse.json(200, mapper.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private ApiResponse error(int status, String code, String message) {
        ObjectNode body = mapper.createObjectNode().put("error", code).put("message", message);
        ApiResponse json;
        try {
            json = ApiResponse.json(status, mapper.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        if (status == 401) {
            return new ApiResponse(401, json.contentType(), Map.of("WWW-Authenticate", "Bearer"), json.body());
        }
        return json;
    }

    private static byte[] loadOpenApi() {
        try (InputStream in = HttpApi.class.getClassLoader().getResourceAsStream(OPENAPI_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + OPENAPI_RESOURCE);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
