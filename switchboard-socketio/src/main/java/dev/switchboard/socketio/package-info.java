/**
 * Socket.IO v5 server over Engine.IO, as the official {@code socket.io} 4.8 server behaves.
 *
 * <p><b>Public API</b>: {@link dev.switchboard.socketio.SocketIoServer} (entry point; its own listener
 * or mounted on a shared {@code HttpServer}), {@link dev.switchboard.socketio.Namespace},
 * {@link dev.switchboard.socketio.Socket}, the immutable {@link dev.switchboard.socketio.BroadcastOperator},
 * {@link dev.switchboard.socketio.SocketIoConfig} / {@link dev.switchboard.socketio.RecoveryConfig},
 * the listener interfaces, {@link dev.switchboard.socketio.DisconnectReason}. Everything else in this
 * package is package-private; the wire codec is {@code dev.switchboard.socketio.protocol}.
 *
 * <p><b>Layers</b> (as socket.io's): {@code Client} — one per Engine.IO session: decoding, the
 * namespace sockets of that connection, connectTimeout, the single close path for protocol
 * violations; {@code NamespaceImpl} — sockets, middleware, broadcast; {@code SocketImpl} — one client
 * in one namespace: listeners, acks, rooms; {@code recovery.RecoveryBackend} — connection state recovery.
 *
 * <p><b>Threading</b>: each connection belongs to one Netty event loop (its Engine.IO session's). Its
 * packets are decoded there, and every listener and middleware of its sockets runs there. Namespaces
 * are shared by all loops (concurrent maps). Writes to a client are always submitted to its loop as
 * tasks — never written inline — because the Router delivers broadcasts the same way; so two sends
 * made one after the other from one thread reach the client in that order, whichever path they take.
 *
 * <p><b>Rooms and broadcasts</b> go through the core {@code Router}: the namespace name is the
 * Router's space, each room a topic in it, and each socket a {@code Subscriber} (its executor is the
 * connection's loop, its wire format the session's current format, delivery an
 * {@code EngineSocket.write} of the shared frames). Every socket is subscribed to the room of its own
 * id. A broadcast is encoded once into Socket.IO text and attachments, then once per wire format into
 * Engine.IO frames by the Router. A broadcast with acknowledgements resolves its targets through the
 * Router, registers one ack id on each target (on its loop) and writes the shared frames.
 */
package dev.switchboard.socketio;
