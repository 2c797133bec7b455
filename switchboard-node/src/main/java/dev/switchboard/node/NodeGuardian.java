package dev.switchboard.node;

import dev.switchboard.core.node.Component;
import dev.switchboard.core.node.SupervisionPolicy;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.ChildFailed;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The root of a node's supervision tree: parent of one {@link ComponentRunner} per component (or the
 * component's own actor, wrapped by {@link SupervisedBehavior}). It
 * watches each; a runner that stops by failure (a fatal error, or past its restart limit) is reported
 * FAILED in {@link Health} while the others keep running. Stopping all (at node close) goes in reverse
 * order of registration, one at a time, so a listener registered after the namespaces it feeds stops
 * before them.
 */
final class NodeGuardian extends AbstractBehavior<NodeGuardian.Command> {

    private static final Logger log = LoggerFactory.getLogger(NodeGuardian.class);

    interface Command {}

    record Supervise(String name, Component component, SupervisionPolicy policy, ActorRef<Done> replyTo)
            implements Command {}

    /** Spawns a component that is an actor; replies with its reference. */
    record SpawnActor<T>(String name, Behavior<T> behavior, SupervisionPolicy policy, ActorRef<ActorRef<T>> replyTo)
            implements Command {}

    record StopComponent(String name, ActorRef<Done> replyTo) implements Command {}

    record StopAll(ActorRef<Done> replyTo) implements Command {}

    private final Health health;
    /** Live runners in registration order. */
    private final LinkedHashMap<String, ActorRef<?>> children = new LinkedHashMap<>();
    private final Map<ActorRef<?>, String> names = new HashMap<>();
    /** Who waits for a requested stop, by component name. */
    private final Map<String, List<ActorRef<Done>>> stopWaiters = new HashMap<>();
    private final Deque<ActorRef<Done>> stopAllWaiters = new ArrayDeque<>();

    static Behavior<Command> create(Health health) {
        return Behaviors.setup(ctx -> new NodeGuardian(ctx, health));
    }

    private NodeGuardian(ActorContext<Command> ctx, Health health) {
        super(ctx);
        this.health = health;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Supervise.class, this::onSupervise)
                .onMessage(SpawnActor.class, this::onSpawnActor)
                .onMessage(StopComponent.class, this::onStopComponent)
                .onMessage(StopAll.class, this::onStopAll)
                .onSignal(Terminated.class, this::onTerminated)
                .build();
    }

    private Behavior<Command> onSupervise(Supervise cmd) {
        if (children.containsKey(cmd.name()) || !stopAllWaiters.isEmpty()) {
            // Names are reserved in Health before this message is sent, so this is a stopping node.
            health.unregister(cmd.name());
            cmd.replyTo().tell(Done.getInstance());
            return this;
        }
        ActorRef<ComponentRunner.Command> child = getContext().spawn(
                ComponentRunner.create(cmd.name(), cmd.component(), cmd.policy(), health),
                "component-" + cmd.name(),
                // Components bind ports, open files and connect out: keep that off the default dispatcher.
                DispatcherSelector.blocking());
        watch(cmd.name(), child);
        cmd.replyTo().tell(Done.getInstance());
        return this;
    }

    private void watch(String name, ActorRef<?> child) {
        getContext().watch(child);
        children.put(name, child);
        names.put(child, name);
    }

    private Behavior<Command> onSpawnActor(SpawnActor<?> cmd) {
        spawnActor(cmd);
        return this;
    }

    private <T> void spawnActor(SpawnActor<T> cmd) {
        if (children.containsKey(cmd.name()) || !stopAllWaiters.isEmpty()) {
            health.unregister(cmd.name());
            return; // the asker times out: the node is stopping
        }
        // Actors must not block, so these stay on the default dispatcher.
        ActorRef<T> child = getContext().spawn(
                SupervisedBehavior.create(cmd.name(), cmd.behavior(), cmd.policy(), health), "component-" + cmd.name());
        watch(cmd.name(), child);
        cmd.replyTo().tell(child);
    }

    private Behavior<Command> onStopComponent(StopComponent cmd) {
        ActorRef<?> child = children.get(cmd.name());
        if (child == null) {
            health.unregister(cmd.name());
            cmd.replyTo().tell(Done.getInstance());
            return this;
        }
        stopWaiters.computeIfAbsent(cmd.name(), n -> new ArrayList<>()).add(cmd.replyTo());
        getContext().stop(child);
        return this;
    }

    private Behavior<Command> onStopAll(StopAll cmd) {
        stopAllWaiters.add(cmd.replyTo());
        stopNextOrFinish();
        return this;
    }

    private Behavior<Command> onTerminated(Terminated signal) {
        String name = names.remove(signal.getRef());
        if (name == null) {
            return this;
        }
        children.remove(name);
        List<ActorRef<Done>> waiters = stopWaiters.remove(name);
        if (signal instanceof ChildFailed failed) {
            Throwable cause = failed.getCause();
            health.failed(name, cause);
            log.error("component {} is FAILED and will not be restarted: {}", name, Health.describe(cause));
        } else if (waiters != null || !stopAllWaiters.isEmpty()) {
            health.unregister(name);
            log.info("component {} stopped", name);
        } else {
            // Stopped by its supervision (a fatal failure, already recorded with its cause by the runner).
            health.failed(name, null);
            log.error("component {} is FAILED and will not be restarted: {}", name,
                    health.component(name).map(ComponentStatus::lastError).orElse("unknown"));
        }
        if (waiters != null) {
            waiters.forEach(w -> w.tell(Done.getInstance()));
        }
        if (!stopAllWaiters.isEmpty()) {
            stopNextOrFinish();
        }
        return this;
    }

    /** Stops the most recently registered live component, or answers the StopAll waiters when none is left. */
    private void stopNextOrFinish() {
        if (children.isEmpty()) {
            while (!stopAllWaiters.isEmpty()) {
                stopAllWaiters.poll().tell(Done.getInstance());
            }
            return;
        }
        ActorRef<?> last = null;
        for (ActorRef<?> c : children.values()) {
            last = c;
        }
        getContext().stop(last);
    }
}
