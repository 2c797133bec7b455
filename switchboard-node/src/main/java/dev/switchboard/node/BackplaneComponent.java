package dev.switchboard.node;

import dev.switchboard.core.node.Component;
import dev.switchboard.core.node.ComponentContext;
import dev.switchboard.core.routing.ClusterRouter;
import dev.switchboard.core.spi.Backplane;

/**
 * The node's backplane as a supervised component: each (re)start joins the cluster with the router's
 * receiver; a failure the backplane reports later ({@link Backplane.Receiver#failed}) goes to the
 * supervisor, which stops it and starts it again with backoff. While it is down the node keeps serving
 * its own subscribers (publications simply do not reach the others), and {@code /health/ready} shows it
 * RECOVERING.
 */
final class BackplaneComponent implements Component {

    private final ClusterRouter router;
    private final String nodeId;

    BackplaneComponent(ClusterRouter router, String nodeId) {
        this.router = router;
        this.nodeId = nodeId;
    }

    @Override
    public void start(ComponentContext context) throws Exception {
        Backplane.Receiver target = router.receiver();
        router.backplane().start(nodeId, new Backplane.Receiver() {
            @Override
            public void receive(String fromNode, byte[] frame) {
                target.receive(fromNode, frame);
            }

            @Override
            public void peerLeft(String node) {
                target.peerLeft(node);
            }

            @Override
            public void failed(Throwable cause) {
                target.failed(cause);
                context.fail(cause);
            }
        });
    }

    @Override
    public void stop() {
        router.backplane().stop();
    }
}
