package dev.switchboard.node;

import dev.switchboard.core.node.SupervisionPolicy;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.BehaviorInterceptor;
import org.apache.pekko.actor.typed.Signal;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.TypedActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Supervision of a component that is itself an actor (a cluster backplane, a sequencer): the
 * component's behavior wrapped in an interceptor that reports it STARTING/UP in {@link Health} on
 * each (re)start and classifies each failure by the component's {@link SupervisionPolicy}, inside the
 * same two supervision layers {@link ComponentRunner} uses. Messages sent during a backoff are stashed
 * by Pekko and delivered after the restart.
 */
final class SupervisedBehavior<T> extends BehaviorInterceptor<T, T> {

    private final String name;
    private final SupervisionPolicy policy;
    private final Health health;

    private SupervisedBehavior(Class<T> messages, String name, SupervisionPolicy policy, Health health) {
        super(messages);
        this.name = name;
        this.policy = policy;
        this.health = health;
    }

    @SuppressWarnings("unchecked")
    static <T> Behavior<T> create(String name, Behavior<T> behavior, SupervisionPolicy policy, Health health) {
        Class<T> any = (Class<T>) (Class<?>) Object.class;
        Behavior<T> watched = Behaviors.intercept(() -> new SupervisedBehavior<>(any, name, policy, health), behavior);
        return underPolicy(watched, policy);
    }

    /**
     * The two supervision layers of every component: a {@link ComponentFailure.Fatal} stops it, a
     * {@link ComponentFailure.Restartable} restarts it with the policy's backoff. Each failure was already
     * logged once, with the component's name, when it was classified; Pekko need not repeat it.
     */
    static <T> Behavior<T> underPolicy(Behavior<T> behavior, SupervisionPolicy policy) {
        return Behaviors.supervise(
                        Behaviors.supervise(behavior).onFailure(ComponentFailure.Fatal.class,
                                SupervisorStrategy.stop().withLoggingEnabled(false)))
                .onFailure(ComponentFailure.Restartable.class,
                        SupervisorStrategy.restartWithBackoff(policy.minBackoff(), policy.maxBackoff(),
                                        policy.randomFactor())
                                .withMaxRestarts(policy.maxRestarts())
                                .withResetBackoffAfter(policy.resetAfter())
                                .withLoggingEnabled(false));
    }

    @Override
    public Behavior<T> aroundStart(TypedActorContext<T> ctx, PreStartTarget<T> target) {
        health.starting(name);
        Behavior<T> started;
        try {
            started = target.start(ctx);
        } catch (RuntimeException e) {
            throw ComponentFailure.classify(name, e, policy, health);
        }
        health.up(name);
        return started;
    }

    @Override
    public Behavior<T> aroundReceive(TypedActorContext<T> ctx, T msg, ReceiveTarget<T> target) {
        try {
            return target.apply(ctx, msg);
        } catch (RuntimeException e) {
            throw ComponentFailure.classify(name, e, policy, health);
        }
    }

    @Override
    public Behavior<T> aroundSignal(TypedActorContext<T> ctx, Signal signal, SignalTarget<T> target) {
        try {
            return target.apply(ctx, signal);
        } catch (RuntimeException e) {
            throw ComponentFailure.classify(name, e, policy, health);
        }
    }
}
