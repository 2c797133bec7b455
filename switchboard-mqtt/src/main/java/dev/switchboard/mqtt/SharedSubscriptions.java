package dev.switchboard.mqtt;

import dev.switchboard.core.routing.EncodedMessage;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.routing.Subscriber;
import dev.switchboard.core.routing.WireFormat;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.util.concurrent.EventExecutor;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Shared subscriptions ({@code $share/<group>/<filter>}, MQTT 5.0 4.8.2; accepted from 3.1.1 clients too, as
 * Mosquitto and EMQX do): each publication matching the filter goes to one connected member of the group,
 * in turn (round robin).
 *
 * <p>One {@link Group} per (group, filter) is the fabric subscriber of the filter, on the event loop of the
 * member that created it; it picks a member and hands the publication to that member's loop (retained
 * duplicates of the frames cross threads). Members are connections, not sessions: a persistent session whose
 * client is away is no member until it comes back, and a group with no connected member drops what it gets
 * (counted as dropped {@code no_shared_member}). Retained messages are not sent on a shared subscribe (4.8.2).
 *
 * <p>Threading: {@link #join} and {@link #leave} from any member's loop, under this object's lock (rare);
 * deliveries read the members' copy-on-write list without it.
 */
final class SharedSubscriptions {

    static final String PREFIX = "$share/";

    /** A parsed {@code $share/<group>/<filter>}. */
    record Name(String group, String filter) {

        /** Null when {@code f} is not a valid shared subscription (no group, or a group with wildcards). */
        static Name parse(String f) {
            int slash = f.indexOf('/', PREFIX.length());
            if (slash < 0) {
                return null;
            }
            String group = f.substring(PREFIX.length(), slash);
            if (group.isEmpty() || group.indexOf('+') >= 0 || group.indexOf('#') >= 0) {
                return null;
            }
            return new Name(group, f.substring(slash + 1));
        }
    }

    private final Router router;
    private final String namespace;
    private final MqttMetrics metrics;
    private final Map<Name, Group> groups = new HashMap<>();

    SharedSubscriptions(Router router, String namespace, MqttMetrics metrics) {
        this.router = router;
        this.namespace = namespace;
        this.metrics = metrics;
    }

    /** Adds (or updates the QoS of) {@code member} in the group; on the member's loop. */
    synchronized void join(Name name, MqttConnection member, int qos) {
        Group g = groups.get(name);
        if (g == null) {
            g = new Group(name, member.executor());
            groups.put(name, g);
            router.subscribePattern(namespace, name.filter(), g);
        }
        g.members.removeIf(m -> m.connection == member);
        g.members.add(new Member(member, qos));
    }

    /** Removes {@code member}; the group leaves the fabric with its last member. */
    synchronized void leave(Name name, MqttConnection member) {
        Group g = groups.get(name);
        if (g == null) {
            return;
        }
        g.members.removeIf(m -> m.connection == member);
        if (g.members.isEmpty()) {
            groups.remove(name);
            router.detach(namespace, g);
        }
    }

    private record Member(MqttConnection connection, int qos) {}

    private final class Group implements Subscriber {
        private final Name name;
        private final EventExecutor loop;
        private final List<Member> members = new CopyOnWriteArrayList<>();
        private final AtomicInteger next = new AtomicInteger();

        Group(Name name, EventExecutor loop) {
            this.name = name;
            this.loop = loop;
        }

        @Override
        public String id() {
            return "mqtt-share-" + name.group() + "/" + name.filter();
        }

        @Override
        public EventExecutor executor() {
            return loop;
        }

        @Override
        public WireFormat wireFormat() {
            return MqttRenderer.FORMAT;
        }

        @Override
        public Delivery deliver(EncodedMessage message, boolean isVolatile) {
            List<Member> now = members;
            Member chosen = null;
            for (int i = 0; i < now.size() && chosen == null; i++) {
                Member m = now.get(Math.floorMod(next.getAndIncrement(), now.size()));
                if (m.connection.isOpen()) {
                    chosen = m;
                }
            }
            if (chosen == null) {
                metrics.dropped("no_shared_member");
                return Delivery.DROPPED_VOLATILE;
            }
            String topic = message.frame(0).toString(StandardCharsets.UTF_8);
            ByteBuf meta = message.frame(2);
            int flags = meta.getByte(meta.readerIndex());
            int qos = Math.min(flags & 3, chosen.qos);
            ByteBuf payload = message.frame(1).retainedDuplicate();
            byte[] props = message.frameCount() > 3 ? ByteBufUtil.getBytes(message.frame(3)) : V5Properties.NO_BYTES;
            MqttConnection c = chosen.connection;
            // Live forwards carry retain 0 (no Retain As Published for shared subscriptions here).
            c.executor().execute(() -> {
                if (c.isOpen()) {
                    if (c.send(topic, payload, qos, false, props)) {
                        c.flush();
                    }
                } else {
                    payload.release();
                    metrics.dropped("no_shared_member");
                }
            });
            return Delivery.WRITTEN;
        }

        @Override
        public void flush() {}
    }
}
