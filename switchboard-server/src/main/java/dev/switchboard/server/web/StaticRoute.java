package dev.switchboard.server.web;

import dev.switchboard.transport.HttpHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Serves a fixed set of classpath resources, read once at start: the demo page at {@code /} and the
 * official socket.io-client browser bundle at {@code /socket.io-client/socket.io.min.js}. Everything
 * else under its prefix is 404 (nothing is read from disk, so there is no path to traverse).
 */
public final class StaticRoute implements HttpHandler {

    private record Asset(String contentType, byte[] bytes) {}

    private static final String BASE = "dev/switchboard/server/web/";
    private final Map<String, Asset> assets = new HashMap<>();

    /** @param demo whether to serve the demo page at / (the client bundle is always served) */
    public StaticRoute(boolean demo) {
        if (demo) {
            add("/", "demo/index.html", "text/html; charset=utf-8");
            add("/index.html", "demo/index.html", "text/html; charset=utf-8");
            add("/demo.js", "demo/demo.js", "text/javascript; charset=utf-8");
            add("/demo.css", "demo/demo.css", "text/css; charset=utf-8");
        }
        add("/socket.io-client/socket.io.min.js", "socket.io-client/socket.io.min.js", "text/javascript; charset=utf-8");
        add("/socket.io-client/socket.io.min.js.map", "socket.io-client/socket.io.min.js.map", "application/json");
    }

    private void add(String path, String resource, String contentType) {
        try (InputStream in = StaticRoute.class.getClassLoader().getResourceAsStream(BASE + resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + BASE + resource
                        + " (the build copies the socket.io-client bundle from node/node_modules: run npm ci --prefix node)");
            }
            assets.put(path, new Asset(contentType, in.readAllBytes()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        boolean head = request.method().equals(HttpMethod.HEAD);
        if (!head && !request.method().equals(HttpMethod.GET)) {
            Responses.send(ctx, keepAlive, false, 405, "text/plain; charset=utf-8", Map.of("Allow", "GET, HEAD"),
                    "method not allowed\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return;
        }
        Asset asset = assets.get(new QueryStringDecoder(request.uri()).path());
        if (asset == null) {
            Responses.text(ctx, keepAlive, 404, "not found\n");
            return;
        }
        Responses.send(ctx, keepAlive, head, 200, asset.contentType(), Map.of(), asset.bytes());
    }
}
