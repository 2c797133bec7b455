/**
 * Engine.IO v4 server (the layer under Socket.IO), as npm {@code engine.io} 6.x behaves: HTTP
 * long-polling and WebSocket transports, upgrade, heartbeat, payload framing, the official error
 * codes and close reasons.
 *
 * <p>Public: {@link dev.switchboard.engineio.EngineIoServer} (create it, mount its
 * {@code httpHandler()} on a {@link dev.switchboard.transport.HttpServer}),
 * {@link dev.switchboard.engineio.EngineIoConfig}, {@link dev.switchboard.engineio.EngineSocket}
 * (one session; all its callbacks on its own event loop), {@link dev.switchboard.engineio.Handshake},
 * {@link dev.switchboard.engineio.CloseReason}, {@link dev.switchboard.engineio.TransportKind}, and
 * {@link dev.switchboard.engineio.EngineWireFormats} for encode-once fan-out. Everything else is
 * package-private: {@code Session} (the state machine) and its parts: {@code Transport} with
 * {@code PollingTransport} (and its {@code PacketQueue}) and {@code WebSocketTransport},
 * {@code Heartbeat}, {@code Upgrade}; {@code EngineRequestHandler} (request
 * checks and routing to sessions), {@code WebSocketFrameHandler}, {@code WsOutbound} (frames to a
 * WebSocket that may live on another event loop, and their pending-bytes count), {@code PacketCodec}.
 */
package dev.switchboard.engineio;
