package dev.switchboard.engineio;

import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The heartbeat of one session (Engine.IO protocol v4: the server pings every
 * {@link EngineIoConfig#pingInterval()}, the client pongs; no pong within
 * {@link EngineIoConfig#pingTimeout()} closes the session with {@link CloseReason#PING_TIMEOUT}).
 * Owned by the session's loop; its timers run there.
 */
final class Heartbeat {

    private final Session session;
    private ScheduledFuture<?> pingIntervalTask;
    private ScheduledFuture<?> pingTimeoutTask;
    private boolean refreshedPingTimeout;

    Heartbeat(Session session) {
        this.session = session;
    }

    /** Schedules the next ping. */
    void start() {
        pingIntervalTask = session.eventLoop().schedule(this::ping,
                session.config().pingInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void ping() {
        if (session.state() == Session.State.CLOSED) {
            return;
        }
        refreshedPingTimeout = false;
        session.sendText(PacketType.PING, "");
        armPingTimeout();
    }

    private void armPingTimeout() {
        Session.cancel(pingTimeoutTask);
        long timeout = session.config().pingTimeout().toMillis();
        pingTimeoutTask = session.eventLoop().schedule(
                () -> session.onClose(CloseReason.PING_TIMEOUT, "no pong within " + timeout + " ms"),
                timeout, TimeUnit.MILLISECONDS);
    }

    /** Any packet from the client, before it is handled. */
    void onPacket(PacketType type) {
        if (pingTimeoutTask != null && !refreshedPingTimeout && type != PacketType.PONG) {
            // engine.io: any packet while waiting for a pong extends the timeout, once per ping.
            armPingTimeout();
            refreshedPingTimeout = true;
        }
    }

    /** The client answered the ping: the next one is scheduled a full interval from now. */
    void onPong() {
        Session.cancel(pingTimeoutTask);
        pingTimeoutTask = null;
        Session.cancel(pingIntervalTask);
        start();
    }

    /** The session closed: no more pings, no timeout. */
    void stop() {
        Session.cancel(pingIntervalTask);
        Session.cancel(pingTimeoutTask);
    }
}
