package dev.switchboard.node;

import dev.switchboard.core.node.Component;
import dev.switchboard.core.node.ComponentContext;
import dev.switchboard.core.node.SupervisionPolicy;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The actor that runs one {@link Component}: one incarnation per (re)start. It starts the component
 * in its setup, stops it on failure, restart and stop, and turns each failure into a
 * {@link ComponentFailure} whose class carries the policy's decision, which the supervision declared
 * in {@link #create} acts on: {@code Restartable} restarts with backoff (Pekko stashes messages
 * meanwhile), {@code Fatal} stops the actor; past the restart limit Pekko rethrows and the actor stops.
 * Its parent ({@link NodeGuardian}) watches it and reports FAILED when it stops by failure.
 *
 * <p>State: {@code incarnations} survives restarts (it lives in the factory's closure, touched only by
 * this actor); everything else is per incarnation.
 */
final class ComponentRunner extends AbstractBehavior<ComponentRunner.Command> {

    private static final Logger log = LoggerFactory.getLogger(ComponentRunner.class);

    interface Command {}

    /** A failure reported through {@link ComponentContext#fail}, tagged with the reporting incarnation. */
    record Failed(int incarnation, Throwable cause) implements Command {}

    private final String name;
    private final Component component;
    private final SupervisionPolicy policy;
    private final Health health;
    private final int incarnation;
    private boolean componentStopped;

    static Behavior<Command> create(String name, Component component, SupervisionPolicy policy, Health health) {
        AtomicInteger incarnations = new AtomicInteger();
        Behavior<Command> run = Behaviors.setup(ctx -> start(ctx, name, component, policy, health,
                incarnations.incrementAndGet()));
        return SupervisedBehavior.underPolicy(run, policy);
    }

    private static Behavior<Command> start(ActorContext<Command> ctx, String name, Component component,
            SupervisionPolicy policy, Health health, int incarnation) {
        health.starting(name);
        ComponentRunner runner = new ComponentRunner(ctx, name, component, policy, health, incarnation);
        try {
            component.start(new Context(name, incarnation, ctx.getSelf()));
        } catch (Exception e) {
            runner.stopComponent();
            throw runner.classify(e);
        }
        health.up(name);
        log.info("component {} up (start {})", name, incarnation);
        return runner;
    }

    private ComponentRunner(ActorContext<Command> ctx, String name, Component component, SupervisionPolicy policy,
            Health health, int incarnation) {
        super(ctx);
        this.name = name;
        this.component = component;
        this.policy = policy;
        this.health = health;
        this.incarnation = incarnation;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Failed.class, this::onFailed)
                .onSignal(PreRestart.class, signal -> onStopping())
                .onSignal(PostStop.class, signal -> onStopping())
                .build();
    }

    private Behavior<Command> onFailed(Failed failed) {
        if (failed.incarnation() != incarnation) {
            log.debug("component {}: ignoring a failure reported by replaced start {}", name, failed.incarnation());
            return this;
        }
        stopComponent();
        throw classify(failed.cause());
    }

    private Behavior<Command> onStopping() {
        stopComponent();
        return this;
    }

    private ComponentFailure classify(Throwable cause) {
        return ComponentFailure.classify(name, cause, policy, health);
    }

    private void stopComponent() {
        if (componentStopped) {
            return;
        }
        componentStopped = true;
        try {
            component.stop();
        } catch (Exception e) {
            log.warn("component {} failed to stop cleanly: {}", name, e.toString());
        }
    }

    /** The component's view of its runner; {@link #fail} is a message, so it is safe from any thread. */
    private record Context(String name, int incarnation, ActorRef<Command> self) implements ComponentContext {
        @Override
        public void fail(Throwable cause) {
            self.tell(new Failed(incarnation, cause));
        }
    }
}
