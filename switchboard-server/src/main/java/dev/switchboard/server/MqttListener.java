package dev.switchboard.server;

import dev.switchboard.core.node.Component;
import dev.switchboard.core.node.ComponentContext;
import dev.switchboard.mqtt.MqttServer;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The MQTT listener as a supervised component ({@value #NAME} in {@code /health/ready}), restarted with
 * backoff when its listening socket goes away or a rebind fails. The first incarnation adopts the
 * listener the server bound while starting (so a port that cannot be bound stops the start with a clear
 * message); each restart binds a new one from the factory.
 *
 * <p>A listener whose socket closed without {@link #stop} is noticed within {@value #CHECK_MS} ms (a
 * check on one of the listener's event loops of a volatile flag; the MQTT module reports no close
 * event), and reported to the supervisor as a failure.
 *
 * <p>Threading: start and stop on the component's actor; {@link #current} from any thread.
 */
final class MqttListener implements Component {

    static final String NAME = "mqtt";
    /** How often the listening socket is checked, ms: the longest a lost listener goes unreported. */
    static final long CHECK_MS = 1000;

    private final Supplier<MqttServer> factory;
    private final EventLoopGroup loops;
    private final Duration bindTimeout;
    private volatile MqttServer adopt;
    private volatile MqttServer current;
    private volatile ScheduledFuture<?> check;
    private volatile InetSocketAddress address;

    /**
     * @param bound   the listener the server already bound, adopted by the first incarnation
     * @param at      where it is bound
     * @param factory a new, unbound listener for each restart
     */
    MqttListener(MqttServer bound, InetSocketAddress at, Supplier<MqttServer> factory, EventLoopGroup loops,
                 Duration bindTimeout) {
        this.adopt = bound;
        this.address = at;
        this.factory = factory;
        this.loops = loops;
        this.bindTimeout = bindTimeout;
    }

    @Override
    public void start(ComponentContext context) throws Exception {
        MqttServer s = adopt;
        adopt = null;
        if (s == null) {
            s = factory.get();
            bind(s);
        }
        current = s;
        MqttServer watched = s;
        check = loops.next().scheduleAtFixedRate(() -> {
            if (current == watched && !watched.isRunning()) {
                context.fail(new IOException("the MQTT listening socket closed"));
            }
        }, CHECK_MS, CHECK_MS, TimeUnit.MILLISECONDS);
    }

    private void bind(MqttServer s) throws Exception {
        try {
            InetSocketAddress a = s.start().toCompletableFuture().get(bindTimeout.toMillis(), TimeUnit.MILLISECONDS);
            if (a == null) {
                throw new IOException("MQTT listener bound nowhere");
            }
            address = a;
        } catch (ExecutionException e) {
            s.shutdown();
            throw e.getCause() instanceof Exception c ? c : e;
        }
    }

    /** Where the listener is bound (a restart with port 0 binds another port). */
    InetSocketAddress address() {
        return address;
    }

    /** The listener now, or null while it restarts or after it stopped. */
    MqttServer current() {
        return current;
    }

    @Override
    public void stop() throws Exception {
        ScheduledFuture<?> c = check;
        check = null;
        if (c != null) {
            c.cancel(false);
        }
        MqttServer s = current;
        current = null;
        if (s == null) {
            s = adopt;
            adopt = null;
        }
        if (s != null) {
            s.shutdown().toCompletableFuture().get(bindTimeout.toMillis(), TimeUnit.MILLISECONDS);
        }
    }
}
