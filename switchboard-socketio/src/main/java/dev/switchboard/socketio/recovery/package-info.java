/**
 * Connection state recovery: what is kept of disconnected sockets and of the events they may have
 * missed. {@link dev.switchboard.socketio.recovery.SessionStore} is the in-memory store of one
 * namespace (socket.io-adapter's {@code SessionAwareAdapter}); durable rooms will keep their events in
 * the core's stream store instead.
 */
package dev.switchboard.socketio.recovery;
