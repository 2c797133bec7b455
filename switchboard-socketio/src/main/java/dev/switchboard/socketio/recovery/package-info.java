/**
 * Connection state recovery: what is kept of disconnected sockets and of the events they may have
 * missed, behind {@link dev.switchboard.socketio.recovery.RecoveryBackend} (one per namespace, chosen by
 * {@code RecoveryConfig.Builder#backend}). {@link dev.switchboard.socketio.recovery.MemoryRecovery} is the
 * in-memory default (socket.io-adapter's {@code SessionAwareAdapter}, bounded by
 * {@code maxDisconnectionDuration}, offsets from a counter of this node);
 * {@link dev.switchboard.socketio.recovery.DurableRecovery} keeps durable rooms' events in the core's
 * {@code StreamStore} and sessions in its {@code SessionStore}, bounded by retention, across restarts,
 * with offsets that are stream positions.
 */
package dev.switchboard.socketio.recovery;
