package dev.switchboard.server.web;

import dev.switchboard.server.health.Health;
import dev.switchboard.transport.HttpHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * {@code /health/live}: 200 while the process serves HTTP at all. {@code /health/ready}: 200 only when
 * every supervised component is up, else 503; both answer JSON naming each component's state.
 */
public final class HealthRoute implements HttpHandler {

    public static final String PREFIX = "/health/";
    private final Health health;

    public HealthRoute(Health health) {
        this.health = health;
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        String path = new QueryStringDecoder(request.uri()).path();
        switch (path) {
            case "/health/live" -> json(ctx, keepAlive, 200, "{\"status\":\"UP\"}");
            case "/health/ready" -> {
                Map<String, Health.Status> snapshot = health.snapshot();
                boolean ready = snapshot.values().stream().allMatch(Health.Status::healthy);
                StringBuilder sb = new StringBuilder("{\"status\":\"").append(ready ? "UP" : "DOWN")
                        .append("\",\"components\":{");
                boolean first = true;
                for (Map.Entry<String, Health.Status> e : snapshot.entrySet()) {
                    if (!first) {
                        sb.append(',');
                    }
                    first = false;
                    sb.append('"').append(escape(e.getKey())).append("\":{\"status\":\"")
                            .append(e.getValue().healthy() ? "UP" : "DOWN").append("\",\"detail\":\"")
                            .append(escape(e.getValue().detail())).append("\"}");
                }
                sb.append("}}");
                json(ctx, keepAlive, ready ? 200 : 503, sb.toString());
            }
            default -> Responses.text(ctx, keepAlive, 404, "not found\n");
        }
    }

    private static void json(ChannelHandlerContext ctx, boolean keepAlive, int status, String body) {
        Responses.send(ctx, keepAlive, false, status, "application/json; charset=utf-8", Map.of(),
                body.getBytes(StandardCharsets.UTF_8));
    }

    private static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
