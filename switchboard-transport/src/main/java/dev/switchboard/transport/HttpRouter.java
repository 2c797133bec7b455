package dev.switchboard.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each complete request to the route with the longest matching path prefix; 404 otherwise; 400
 * for a request the HTTP codec could not decode. Anything that is not a {@link FullHttpRequest}
 * (WebSocket frames after an upgrade, when the route kept the router) passes through untouched.
 * Stateless and {@code @Sharable}.
 */
@ChannelHandler.Sharable
final class HttpRouter extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(HttpRouter.class);

    private record Route(String prefix, HttpHandler handler) {}

    /** Longest prefix first. */
    private final List<Route> routes;

    HttpRouter(Map<String, HttpHandler> routes) {
        List<Route> list = new ArrayList<>();
        routes.forEach((p, h) -> list.add(new Route(p, h)));
        list.sort(Comparator.comparingInt((Route r) -> r.prefix.length()).reversed());
        this.routes = List.copyOf(list);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            if (request.decoderResult().isFailure()) {
                log.debug("undecodable HTTP request from {}: {}", ctx.channel().remoteAddress(),
                        request.decoderResult().cause().toString());
                respond(ctx, HttpResponseStatus.BAD_REQUEST, false);
                return;
            }
            HttpHandler handler = match(path(request.uri()));
            if (handler == null) {
                respond(ctx, HttpResponseStatus.NOT_FOUND, HttpUtil.isKeepAlive(request));
                return;
            }
            try {
                handler.handle(ctx, request);
            } catch (RuntimeException e) {
                log.error("route failed on {} {} from {}", request.method(), request.uri(),
                        ctx.channel().remoteAddress(), e);
                if (ctx.channel().isActive()) {
                    respond(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR, false);
                }
            }
        } finally {
            request.release();
        }
    }

    /**
     * Tells the matching route of a request the aggregator refused for its size (see
     * {@link RoutingAggregator}). A failing route is logged; the 413 goes out regardless.
     */
    void oversized(Channel channel, HttpRequest request) {
        HttpHandler handler = match(path(request.uri()));
        if (handler == null) {
            return;
        }
        try {
            handler.oversizedRequest(channel, request);
        } catch (RuntimeException e) {
            log.error("route failed on oversized {} {} from {}", request.method(), request.uri(),
                    channel.remoteAddress(), e);
        }
    }

    HttpHandler match(String path) {
        for (Route r : routes) {
            if (path.startsWith(r.prefix)) {
                return r.handler;
            }
        }
        return null;
    }

    /** The path part of a request target (origin-form or absolute-form), without the query. */
    static String path(String uri) {
        int start = 0;
        int scheme = uri.indexOf("://");
        if (scheme > 0 && !uri.startsWith("/")) {
            int slash = uri.indexOf('/', scheme + 3);
            start = slash < 0 ? uri.length() : slash;
        }
        int end = uri.length();
        int q = uri.indexOf('?', start);
        if (q >= 0) {
            end = q;
        }
        int h = uri.indexOf('#', start);
        if (h >= 0 && h < end) {
            end = h;
        }
        String p = uri.substring(start, end);
        return p.isEmpty() ? "/" : p;
    }

    private static void respond(ChannelHandlerContext ctx, HttpResponseStatus status, boolean keepAlive) {
        ByteBuf body = Unpooled.copiedBuffer(status.reasonPhrase(), StandardCharsets.US_ASCII);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        if (keepAlive) {
            ctx.writeAndFlush(response);
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            log.debug("connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        } else {
            log.warn("connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        }
        ctx.close();
    }
}
