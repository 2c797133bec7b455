/**
 * Connection state recovery: what is kept of disconnected sockets and of the events they may have
 * missed, behind {@link dev.switchboard.socketio.recovery.RecoveryBackend} (one per namespace, chosen by
 * {@code RecoveryConfig.Builder#backend}). {@link dev.switchboard.socketio.recovery.SessionStore} is the
 * in-memory default (socket.io-adapter's {@code SessionAwareAdapter}, bounded by
 * {@code maxDisconnectionDuration}); {@link dev.switchboard.socketio.recovery.DurableRecovery} keeps
 * durable rooms' events in the core's {@code StreamStore}, bounded by retention, across restarts.
 */
package dev.switchboard.socketio.recovery;
