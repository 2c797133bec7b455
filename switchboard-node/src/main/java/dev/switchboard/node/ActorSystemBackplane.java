package dev.switchboard.node;

import dev.switchboard.core.spi.Backplane;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * A backplane that runs in the node's own actor system (Pekko Cluster). {@link SwitchboardNode} binds
 * it to that system once, before its first {@link #start}; the system's settings come from
 * {@link dev.switchboard.core.node.NodeConfig#pekko()}.
 */
public interface ActorSystemBackplane extends Backplane {

    /** Called once, by the node that runs this backplane, before any {@link #start}. */
    void bind(ActorSystem<?> system);
}
