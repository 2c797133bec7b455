package dev.switchboard.spring;

import dev.switchboard.socketio.SocketIoServer;

/**
 * Registers handlers on the embedded server: every bean of this type is called once, in {@code @Order},
 * before the server starts listening, so no client can connect before its handlers exist.
 *
 * <pre>{@code
 * @Bean
 * SocketIoConfigurer chat(ChatService service) {
 *     return io -> io.of("/chat").on("connection", socket ->
 *             socket.on("message", (args, ack) -> ack.send(service.post(args.get(0)))));
 * }
 * }</pre>
 *
 * <p>Functional rather than annotated handler methods: the registration is the Socket.IO API itself
 * (namespaces, middleware, rooms, acks read as in Node's socket.io and in the rest of Switchboard's
 * docs), nothing is found by reflection, and a handler's types and captured beans are checked by the
 * compiler.
 */
@FunctionalInterface
public interface SocketIoConfigurer {

    void configure(SocketIoServer io);
}
