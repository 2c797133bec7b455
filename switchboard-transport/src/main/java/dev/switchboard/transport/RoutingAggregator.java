package dev.switchboard.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Netty's {@link HttpObjectAggregator} that also tells the route of a refused request: when a body
 * passes {@code maxContentLength} (declared by {@code Content-Length} or found while aggregating a
 * chunked body), the route's {@link HttpHandler#oversizedRequest} runs before Netty answers
 * {@code 413}, so a protocol layer can close the session the request belonged to.
 *
 * <p>Buffer ownership is Netty's: the aggregator releases the oversized message after this callback
 * and discards the rest of its body. One instance per channel (it aggregates); Netty's WebSocket
 * handshaker still finds and removes it, since it looks handlers up by assignable class.
 */
final class RoutingAggregator extends HttpObjectAggregator {

    private static final Logger log = LoggerFactory.getLogger(RoutingAggregator.class);

    private final HttpRouter router;

    RoutingAggregator(int maxContentLength, HttpRouter router) {
        super(maxContentLength);
        this.router = router;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) throws Exception {
        if (oversized instanceof HttpRequest request) {
            log.debug("request {} {} from {} over maxContentLength {}: answered 413", request.method(),
                    request.uri(), ctx.channel().remoteAddress(), maxContentLength());
            router.oversized(ctx.channel(), request);
        }
        super.handleOversizedMessage(ctx, oversized);
    }
}
