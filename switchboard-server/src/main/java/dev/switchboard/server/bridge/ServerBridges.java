package dev.switchboard.server.bridge;

import dev.switchboard.core.bridge.Bridge;
import dev.switchboard.core.bridge.BridgeHandle;
import dev.switchboard.core.bridge.BridgeMetrics;
import dev.switchboard.core.bridge.Bridges;
import dev.switchboard.core.bridge.EventRoute;
import dev.switchboard.core.bridge.InboundStorage;
import dev.switchboard.node.SwitchboardNode;
import dev.switchboard.socketio.SocketIoServer;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configured bridges of the server ({@code switchboard.bridges}): each created by its factory and run
 * under the node's supervision (component {@code bridge-<name>}, in {@code /health/ready}), and each routed
 * client event wired into its Socket.IO namespace ({@link EventRouting}).
 *
 * <p>Lifecycle: opened after the Socket.IO server is created and before the listener accepts connections;
 * closed after the clients were disconnected and before the node. A client event that reaches a bridge
 * while it is not running gets the error acknowledgement {@code bridge unavailable}.
 */
public final class ServerBridges implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger("dev.switchboard.server");

    private final List<BridgeHandle> handles;

    private ServerBridges(List<BridgeHandle> handles) {
        this.handles = handles;
    }

    /**
     * Creates and starts every configured bridge (asynchronously: each shows STARTING in health until up)
     * and routes their events.
     *
     * @throws IllegalArgumentException when a factory refuses a bridge's options (the message names it)
     */
    public static ServerBridges open(BridgeSettings settings, SwitchboardNode node, SocketIoServer io,
                                     MeterRegistry registry) {
        List<BridgeHandle> handles = new ArrayList<>();
        BridgeMetrics metrics = BridgeMetrics.micrometer(registry);
        try {
            for (BridgeSettings.Entry e : settings.bridges()) {
                String name = e.config().name();
                Bridge bridge;
                try {
                    bridge = e.factory().create(name, e.options());
                } catch (IllegalArgumentException ex) {
                    throw new IllegalArgumentException("bridge " + name + ": " + ex.getMessage(), ex);
                }
                // Durable rooms are stored by the Socket.IO layer's recovery backend today; a bridged inbound
                // message is routed without that step until the storage plane offers it to the fabric.
                BridgeHandle handle = Bridges.start(node, e.config(), bridge, InboundStorage.NONE, metrics);
                handles.add(handle);
                for (EventRoute route : e.config().events()) {
                    EventRouting.install(io.of(route.space()), route, handle, node.router().nodeId());
                }
                log.info("bridge {} ({}): {} outbound rule(s), {} routed event(s)", name, e.factory().type(),
                        e.config().rules().size(), e.config().events().size());
            }
        } catch (RuntimeException ex) {
            handles.forEach(BridgeHandle::close);
            throw ex;
        }
        return new ServerBridges(List.copyOf(handles));
    }

    public List<BridgeHandle> handles() {
        return handles;
    }

    @Override
    public void close() {
        for (int i = handles.size() - 1; i >= 0; i--) {
            handles.get(i).close();
        }
    }
}
