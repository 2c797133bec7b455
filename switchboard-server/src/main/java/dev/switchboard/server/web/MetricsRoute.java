package dev.switchboard.server.web;

import dev.switchboard.server.metrics.ServerMetrics;
import dev.switchboard.transport.HttpHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** {@code /metrics}: the Prometheus text exposition of {@link ServerMetrics}. */
public final class MetricsRoute implements HttpHandler {

    public static final String PATH = "/metrics";
    private final ServerMetrics metrics;

    public MetricsRoute(ServerMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (!new QueryStringDecoder(request.uri()).path().equals(PATH)) {
            Responses.text(ctx, keepAlive, 404, "not found\n");
            return;
        }
        // Rendering walks every meter: cheap at our meter counts (well under a millisecond).
        Responses.send(ctx, keepAlive, false, 200, ServerMetrics.CONTENT_TYPE, Map.of(),
                metrics.scrape().getBytes(StandardCharsets.UTF_8));
    }
}
