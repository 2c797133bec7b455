package dev.switchboard.transport;

import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/** Placeholder until the bootstrap lands. */
final class NettyHttpServer implements HttpServer {
    NettyHttpServer(TransportConfig config, Map<String, HttpHandler> routes) {}

    @Override
    public CompletionStage<InetSocketAddress> start() {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public CompletionStage<Void> shutdown() {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public EventLoopGroup eventLoopGroup() {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public String transportName() {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public Map<String, HttpHandler> routes() {
        throw new UnsupportedOperationException("not yet");
    }
}
