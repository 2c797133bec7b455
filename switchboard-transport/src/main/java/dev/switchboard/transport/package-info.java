/**
 * The one Netty server bootstrap every listener uses: {@link dev.switchboard.transport.HttpServer}
 * (native epoll or NIO, HTTP/1.1 keep-alive, longest-prefix routing to
 * {@link dev.switchboard.transport.HttpHandler}s (told of bodies refused for their size), WebSocket upgrade
 * by the routes, CORS, TLS from PEM
 * files, write watermarks, flush consolidation, idle close, graceful shutdown), configured by
 * {@link dev.switchboard.transport.TransportConfig} and {@link dev.switchboard.transport.CorsConfig}.
 */
package dev.switchboard.transport;
