package dev.switchboard.engineio;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One upgrade of a polling session to WebSocket in progress (engine.io {@code Socket#_maybeUpgrade}):
 * the probe WebSocket is held here until the client sends {@code 5}. Steps: the client sends
 * {@code 2probe} over the probe, the server answers {@code 3probe} and a pending GET returns (so the
 * client pauses polling); {@code 5} completes it, the polling queue moves to the WebSocket and the
 * session's transport is the WebSocket from then on. Anything else on the probe, the probe closing, or
 * {@link EngineIoConfig#upgradeTimeout()} passing aborts it, closing the probe.
 *
 * <p>Made only while probing (a session holds none otherwise). Owned by the session's loop; the
 * probe channel may live on another loop, its frames hop over as the active WebSocket's do.
 */
final class Upgrade {

    private static final Logger log = LoggerFactory.getLogger(Upgrade.class);

    private final Session session;
    private final PollingTransport polling;
    private final Channel probe;
    private boolean probed;
    private final ScheduledFuture<?> timeoutTask;

    Upgrade(Session session, PollingTransport polling, Channel probe) {
        this.session = session;
        this.polling = polling;
        this.probe = probe;
        this.timeoutTask = session.eventLoop().schedule(() -> {
            log.debug("engine.io session {}: upgrade timed out", session.id());
            session.abortUpgrade();
        }, session.config().upgradeTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    Channel probe() {
        return probe;
    }

    /** Whether the probe was answered: a GET coming now returns at once with a noop. */
    boolean probed() {
        return probed;
    }

    /** A packet on the probe; owns its binary. */
    void onPacket(Packet p) {
        if (p.type() == PacketType.PING && "probe".equals(p.text())) {
            probe.writeAndFlush(PacketCodec.wsText(session.alloc(), PacketType.PONG, "probe"), probe.voidPromise());
            probed = true;
            polling.onUpgradeProbed();
        } else if (p.type() == PacketType.UPGRADE && session.state() != Session.State.CLOSED && !polling.pollLost()) {
            complete();
        } else {
            p.release();
            session.abortUpgrade();
        }
    }

    private void complete() {
        Session.cancel(timeoutTask);
        WebSocketTransport ws = new WebSocketTransport(session);
        ws.open(probe);
        session.upgraded(ws);
        polling.handOverTo(ws);
        log.debug("engine.io session {} upgraded to websocket", session.id());
        session.notifyUpgrade();
        if (session.state() == Session.State.CLOSING) {
            polling.dropPendingClose();
            session.onClose(CloseReason.FORCED_CLOSE, "closed by the server");
        }
    }

    /** Gives the upgrade up (the session already forgot it); closes the probe unless it closed itself. */
    void abort(boolean probeClosed) {
        Session.cancel(timeoutTask);
        if (!probeClosed && probe.isActive()) {
            probe.writeAndFlush(new CloseWebSocketFrame()).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
