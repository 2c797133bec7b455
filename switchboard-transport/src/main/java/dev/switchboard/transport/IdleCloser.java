package dev.switchboard.transport;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Closes a connection that had no traffic for the configured idle timeout. Stateless; put it right after the IdleStateHandler. */
@ChannelHandler.Sharable
final class IdleCloser extends ChannelInboundHandlerAdapter {

    static final IdleCloser INSTANCE = new IdleCloser();
    private static final Logger log = LoggerFactory.getLogger(IdleCloser.class);

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            log.debug("closing idle connection {}", ctx.channel().remoteAddress());
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }
}
