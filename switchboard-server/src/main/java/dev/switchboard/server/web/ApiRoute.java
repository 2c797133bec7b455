package dev.switchboard.server.web;

import dev.switchboard.server.api.ApiRequest;
import dev.switchboard.server.api.ApiResponse;
import dev.switchboard.server.api.HttpApi;
import dev.switchboard.transport.HttpHandler;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Mounts {@link HttpApi} at {@code /api/}. The request is copied off the event loop (its body into a
 * byte array) and handled on a small pool, because API operations may wait for the Socket.IO layer;
 * the answer is written from that pool. The pool's queue is bounded: when full the request is
 * answered 503 at once.
 */
public final class ApiRoute implements HttpHandler, AutoCloseable {

    /** Requests waiting for a worker; beyond this the API answers 503 rather than queue without bound. */
    static final int QUEUE_BOUND = 1024;

    private final HttpApi api;
    private final long maxRequestBody;
    private final ExecutorService workers = new ThreadPoolExecutor(2, 2, 0, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(QUEUE_BOUND), r -> {
                Thread t = new Thread(r, "switchboard-api");
                t.setDaemon(true);
                return t;
            });

    /** @param maxRequestBody larger bodies are answered 413 (switchboard.http.max-request-body) */
    public ApiRoute(HttpApi api, long maxRequestBody) {
        this.api = api;
        this.maxRequestBody = maxRequestBody;
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (request.content().readableBytes() > maxRequestBody) {
            Responses.send(ctx, false, false, 413, ApiResponse.JSON, Map.of(),
                    ("{\"error\":\"payload_too_large\",\"message\":\"the body is larger than "
                            + maxRequestBody + " bytes (switchboard.http.max-request-body)\"}").getBytes(StandardCharsets.UTF_8));
            return;
        }
        ApiRequest apiRequest = toApiRequest(request);
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        try {
            workers.execute(() -> api.handleAsync(apiRequest).thenAccept(r ->
                    Responses.send(ctx, keepAlive, false, r.status(), r.contentType(), r.headers(), r.body())));
        } catch (RejectedExecutionException e) {
            Responses.send(ctx, false, false, 503, ApiResponse.JSON, Map.of("Retry-After", "1"),
                    "{\"error\":\"unavailable\",\"message\":\"the API is overloaded or shutting down\"}"
                            .getBytes(StandardCharsets.UTF_8));
        }
    }

    static ApiRequest toApiRequest(FullHttpRequest request) {
        QueryStringDecoder decoder = new QueryStringDecoder(request.uri());
        Map<String, String> query = new HashMap<>();
        for (Map.Entry<String, List<String>> e : decoder.parameters().entrySet()) {
            if (!e.getValue().isEmpty()) {
                query.put(e.getKey(), e.getValue().get(0));
            }
        }
        Map<String, String> headers = new HashMap<>();
        request.headers().forEach(h -> headers.putIfAbsent(h.getKey().toLowerCase(Locale.ROOT), h.getValue()));
        byte[] body = ByteBufUtil.getBytes(request.content());
        return new ApiRequest(request.method().name(), decoder.path(), query, headers, body);
    }

    @Override
    public void close() {
        workers.shutdown();
    }
}
