package dev.switchboard.transport;

import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * One HTTP/1.1 (and WebSocket) listener on Netty. Native epoll when available and
 * {@link TransportConfig#preferNative()}, NIO otherwise; which one is logged at start.
 *
 * <p>Requests are routed by the longest path prefix among the registered routes (matched against
 * the path without the query string); a request no route matches is answered 404.
 *
 * <pre>{@code
 * HttpServer server = HttpServer.builder(config)
 *         .route("/engine.io/", engine.httpHandler())
 *         .route("/", staticFiles)
 *         .build();
 * InetSocketAddress bound = server.start().toCompletableFuture().join();
 * ...
 * server.shutdown().toCompletableFuture().join();
 * }</pre>
 */
public interface HttpServer {

    static Builder builder(TransportConfig config) {
        return new Builder(config);
    }

    /** Binds the listener; completes with the bound address (the real port when configured with 0). */
    CompletionStage<InetSocketAddress> start();

    /**
     * Stops accepting, asks each route to close its connections with its protocol's close
     * ({@link HttpHandler#shutdown()}), waits up to {@link TransportConfig#shutdownTimeout()}, closes
     * every remaining connection, then shuts the event loops down. Idempotent.
     */
    CompletionStage<Void> shutdown();

    /** The worker event loops (one per connection); higher layers may schedule work on them. */
    EventLoopGroup eventLoopGroup();

    /** {@code epoll} or {@code nio}. */
    String transportName();

    /** The routes, by prefix, in registration order. */
    Map<String, HttpHandler> routes();

    /** What the {@link ConnectionLimits} refused or closed so far, and the open connections. */
    TransportStats stats();

    /** Collects routes; {@link #build()} does not start anything. */
    final class Builder {
        private final TransportConfig config;
        private final Map<String, HttpHandler> routes = new LinkedHashMap<>();

        private Builder(TransportConfig config) {
            this.config = Objects.requireNonNull(config, "config");
        }

        /**
         * Routes requests whose path starts with {@code pathPrefix} (which must start with {@code /})
         * to {@code handler}, unless a longer registered prefix also matches.
         */
        public Builder route(String pathPrefix, HttpHandler handler) {
            Objects.requireNonNull(pathPrefix, "pathPrefix");
            Objects.requireNonNull(handler, "handler");
            if (!pathPrefix.startsWith("/")) {
                throw new IllegalArgumentException("route prefix must start with '/', was '" + pathPrefix + "'");
            }
            if (routes.containsKey(pathPrefix)) {
                throw new IllegalArgumentException("route prefix '" + pathPrefix + "' registered twice");
            }
            routes.put(pathPrefix, handler);
            return this;
        }

        public HttpServer build() {
            if (routes.isEmpty()) {
                throw new IllegalStateException("an HttpServer needs at least one route");
            }
            return new NettyHttpServer(config, routes);
        }
    }
}
