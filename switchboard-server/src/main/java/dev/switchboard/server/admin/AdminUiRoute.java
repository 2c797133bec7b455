package dev.switchboard.server.admin;

import dev.switchboard.transport.HttpHandler;
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
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Serves the admin UI's built files (copied into the jar from {@code @socket.io/admin-ui/ui/dist} at build
 * time) under {@code /admin/}; {@code /admin} redirects there. Only classpath resources under the UI's
 * folder are served, and only names made of letters, digits, '.', '-', '_' and '/' without "..", so no
 * request reaches anything else. Files are read on first request and kept (a fixed set of a few files).
 */
public final class AdminUiRoute implements HttpHandler {

    public static final String PREFIX = "/admin";
    private static final String BASE = "dev/switchboard/server/admin/ui/";
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._/-]+");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "png", "image/png",
            "svg", "image/svg+xml",
            "ico", "image/x-icon");

    private record Asset(String contentType, byte[] bytes) {}

    private final Map<String, Asset> cache = new ConcurrentHashMap<>();

    /** Fails at start, not at the first request, when the jar was built without the UI. */
    public AdminUiRoute() {
        if (load("index.html").isEmpty()) {
            throw new IllegalStateException("missing resource " + BASE + "index.html (the build copies the admin UI "
                    + "from node/node_modules/@socket.io/admin-ui: run npm ci --prefix node, then build again)");
        }
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        boolean head = request.method().equals(HttpMethod.HEAD);
        if (!head && !request.method().equals(HttpMethod.GET)) {
            send(ctx, keepAlive, false, 405, "text/plain; charset=utf-8", Map.of("Allow", "GET, HEAD"), "method not allowed\n");
            return;
        }
        String path = new QueryStringDecoder(request.uri()).path();
        if (path.equals(PREFIX)) {
            send(ctx, keepAlive, head, 301, "text/plain; charset=utf-8", Map.of("Location", PREFIX + "/"), "moved\n");
            return;
        }
        if (!path.startsWith(PREFIX + "/")) {
            send(ctx, keepAlive, head, 404, "text/plain; charset=utf-8", Map.of(), "not found\n");
            return;
        }
        String name = path.substring(PREFIX.length() + 1);
        if (name.isEmpty()) {
            name = "index.html";
        }
        Optional<Asset> asset = SAFE.matcher(name).matches() && !name.contains("..") ? load(name) : Optional.empty();
        if (asset.isEmpty()) {
            send(ctx, keepAlive, head, 404, "text/plain; charset=utf-8", Map.of(), "not found\n");
            return;
        }
        send(ctx, keepAlive, head, 200, asset.get().contentType(), Map.of(), asset.get().bytes());
    }

    private Optional<Asset> load(String name) {
        Asset cached = cache.get(name);
        if (cached != null) {
            return Optional.of(cached);
        }
        try (InputStream in = AdminUiRoute.class.getClassLoader().getResourceAsStream(BASE + name)) {
            if (in == null) {
                return Optional.empty();
            }
            String ext = name.substring(name.lastIndexOf('.') + 1);
            Asset asset = new Asset(TYPES.getOrDefault(ext, "application/octet-stream"), in.readAllBytes());
            cache.put(name, asset);
            return Optional.of(asset);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void send(ChannelHandlerContext ctx, boolean keepAlive, boolean head, int status, String type,
                             Map<String, String> headers, String body) {
        send(ctx, keepAlive, head, status, type, headers, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(ChannelHandlerContext ctx, boolean keepAlive, boolean head, int status, String type,
                             Map<String, String> headers, byte[] body) {
        // Wraps the byte[] (no copy); Netty releases the response once written.
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
        response.headers().set("X-Content-Type-Options", "nosniff");
        headers.forEach((k, v) -> response.headers().set(k, v));
        HttpUtil.setKeepAlive(response, keepAlive);
        var future = ctx.writeAndFlush(response);
        if (!keepAlive) {
            future.addListener(ChannelFutureListener.CLOSE);
        }
    }
}
