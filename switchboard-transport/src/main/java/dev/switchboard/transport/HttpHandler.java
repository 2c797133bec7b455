package dev.switchboard.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpRequest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What a route of an {@link HttpServer} implements.
 *
 * <p>Threading: {@link #handle} runs on the event loop of the request's channel. It must not block.
 *
 * <p>The pipeline of a connection, from the socket: [TLS], flush consolidation, idle detection, HTTP
 * codec, keep-alive, aggregator, [CORS], the router (named {@link #ROUTER_NAME}). A route may:
 * <ul>
 *   <li>answer at once ({@code ctx.writeAndFlush(response)}; set {@code Content-Length});</li>
 *   <li>hold the channel and answer later from any thread (long-polling);</li>
 *   <li>upgrade the channel to WebSocket with Netty's {@code WebSocketServerHandshaker} (which removes
 *       the aggregator and swaps the HTTP codec for frame codecs), then put its frame handler in the
 *       router's place: {@code ctx.pipeline().replace(ROUTER_NAME, "ws", frameHandler)}, so frames,
 *       exceptions and the channel's close reach it. (A route that adds its handler after the router
 *       instead still gets frames: the router passes on every message that is not an HTTP request.)</li>
 * </ul>
 */
public interface HttpHandler {

    /** Name of the transport's routing handler in every HTTP pipeline. */
    String ROUTER_NAME = "switchboard-router";

    /**
     * Drops the handlers a connection no longer needs once it speaks WebSocket (the handshaker
     * already removed the HTTP codec and aggregator): keep-alive and CORS, which only act on HTTP
     * messages, and, when {@code protocolHeartbeat}, the transport's idle detection (its scheduled
     * timeout task and two handlers per connection), for protocols whose own heartbeat closes silent
     * peers (Engine.IO's ping/pong). About 0.4 KiB less per idle WebSocket connection.
     *
     * <p>Call it on the channel's event loop after the {@code 101} response was written. Handlers that
     * are absent (never configured, already removed) are skipped.
     */
    static void trimAfterWebSocketUpgrade(ChannelPipeline pipeline, boolean protocolHeartbeat) {
        NettyHttpServer.trimAfterWebSocketUpgrade(pipeline, protocolHeartbeat);
    }

    /**
     * Handles one complete request.
     *
     * @param ctx     the router's context on the request's channel
     * @param request borrowed: the router releases it when this method returns; {@code retain()} it (or
     *                its content) to keep it longer
     */
    void handle(ChannelHandlerContext ctx, FullHttpRequest request);

    /**
     * Told that a request for this route was refused because its body passed
     * {@link TransportConfig#maxContentLength()}; {@link #handle} never sees it. The transport answers
     * {@code 413} itself (and closes the connection when it cannot skip the rest of the body: a
     * chunked body, or no keep-alive); the route closes whatever the request belonged to (an
     * Engine.IO session). Default: nothing to do.
     *
     * <p>Threading: runs on the request channel's event loop; must not block.
     *
     * @param channel the request's connection
     * @param request borrowed, headers and request line only (the body was never kept); released by
     *                the transport when this method returns
     */
    default void oversizedRequest(Channel channel, HttpRequest request) {}

    /**
     * Called once by {@link HttpServer#shutdown()} after the listener stopped accepting: close every
     * connection of this route with its protocol's own close (Engine.IO close packet, WebSocket close
     * frame). The server waits for the stage up to its shutdown bound, then closes what is left.
     * Default: nothing to do.
     */
    default CompletionStage<Void> shutdown() {
        return CompletableFuture.completedFuture(null);
    }
}
