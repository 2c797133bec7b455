package dev.switchboard.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.switchboard.core.handler.HandlerRunner;
import dev.switchboard.core.node.Component;
import dev.switchboard.core.node.NodeConfig;
import dev.switchboard.core.node.SupervisionPolicy;
import dev.switchboard.core.node.Supervisor;
import dev.switchboard.core.routing.ClusterRouter;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.routing.Routers;
import dev.switchboard.core.spi.Backplane;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Switchboard node: its actor system and supervision tree, its routing fabric, its handler
 * runner and its health. The server creates one, registers its long-lived components with
 * {@link #supervise}, and closes it on shutdown.
 *
 * <pre>{@code
 * try (SwitchboardNode node = SwitchboardNode.start(NodeConfig.defaults())) {
 *     node.supervise("listener-http", listener, SupervisionPolicy.restartWithBackoff());
 *     Router router = node.router();          // give to the Socket.IO layer
 *     HandlerRunner handlers = node.handlers();
 *     boolean ready = node.health().isReady(); // for /health/ready
 * }
 * }</pre>
 *
 * <p>Thread-safe. {@link #close()} stops components in reverse order of registration, then the actor
 * system, then the handler pool.
 */
public final class SwitchboardNode implements Supervisor, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SwitchboardNode.class);
    private static final Pattern COMPONENT_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");

    /**
     * Pekko settings the node needs whatever the application's own config says: logging through SLF4J,
     * and shutdown driven by {@link #close()} (the server's), not by Pekko's own JVM hook.
     */
    private static final String OVERRIDES = """
            pekko.loggers = ["org.apache.pekko.event.slf4j.Slf4jLogger"]
            pekko.logging-filter = "org.apache.pekko.event.slf4j.Slf4jLoggingFilter"
            pekko.loglevel = "INFO"
            pekko.log-dead-letters-during-shutdown = off
            pekko.jvm-shutdown-hooks = off
            pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
            """;

    private final NodeConfig config;
    private final ActorSystem<NodeGuardian.Command> system;
    private final Health health;
    private final Router router;
    private final HandlerRunner handlers;

    private SwitchboardNode(NodeConfig config) {
        this.config = config;
        this.health = new Health(Clock.systemUTC());
        Config pekko = ConfigFactory.parseString(OVERRIDES).withFallback(ConfigFactory.load());
        this.system = ActorSystem.create(NodeGuardian.create(health), config.name(), pekko);
        this.handlers = HandlerRunner.create(config.handlers());
        if (config.backplane() == Backplane.NONE) {
            this.router = Routers.local(config.router());
        } else {
            ClusterRouter clustered = Routers.clustered(config.router(), config.backplane(), config.nodeId());
            this.router = clustered;
            supervise(BACKPLANE, new BackplaneComponent(clustered, config.nodeId()), SupervisionPolicy.restartWithBackoff());
        }
    }

    /** The component name of the backplane in {@link #health()}. */
    public static final String BACKPLANE = "backplane";

    /** Starts a node: its actor system and an empty supervision tree. */
    public static SwitchboardNode start(NodeConfig config) {
        return new SwitchboardNode(Objects.requireNonNull(config, "config"));
    }

    @Override
    public NodeConfig config() {
        return config;
    }

    @Override
    public Router router() {
        return router;
    }

    /** Runs user handlers contained; shared by every protocol of the node. */
    public HandlerRunner handlers() {
        return handlers;
    }

    /** The health of the supervised components, for {@code /health/ready}. */
    public Health health() {
        return health;
    }

    /** The node's actor system, for modules that spawn their own actors (cluster, stores). */
    public ActorSystem<?> actorSystem() {
        return system;
    }

    @Override
    public CompletionStage<Void> supervise(String name, Component component, SupervisionPolicy policy) {
        Objects.requireNonNull(component, "component");
        Objects.requireNonNull(policy, "policy");
        register(name);
        return AskPattern.ask(system, (ActorRef<Done> replyTo) ->
                        new NodeGuardian.Supervise(name, component, policy, replyTo),
                config.shutdownTimeout(), system.scheduler()).thenApply(done -> null);
    }

    /**
     * Spawns a component that is itself an actor under its own supervisor with {@code policy}: a
     * failure of its behavior (thrown while starting, or handling a message or signal) restarts it
     * with backoff or stops it for good, as for a {@link Component}, and it appears in
     * {@link #health()} (UP once its behavior has started). Messages sent while it backs off are kept
     * and delivered after the restart.
     *
     * @throws IllegalArgumentException if the name is invalid or already registered
     */
    public <T> CompletionStage<ActorRef<T>> spawn(String name, Behavior<T> behavior, SupervisionPolicy policy) {
        Objects.requireNonNull(behavior, "behavior");
        Objects.requireNonNull(policy, "policy");
        register(name);
        return AskPattern.ask(system, (ActorRef<ActorRef<T>> replyTo) ->
                        new NodeGuardian.SpawnActor<>(name, behavior, policy, replyTo),
                config.shutdownTimeout(), system.scheduler());
    }

    private void register(String name) {
        Objects.requireNonNull(name, "name");
        if (!COMPONENT_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("component name must match " + COMPONENT_NAME + ", was '" + name + "'");
        }
        if (!health.register(name)) {
            throw new IllegalArgumentException("a component named '" + name + "' is already registered");
        }
    }

    @Override
    public CompletionStage<Void> stop(String name) {
        return AskPattern.ask(system, (ActorRef<Done> replyTo) ->
                        new NodeGuardian.StopComponent(name, replyTo), config.shutdownTimeout(), system.scheduler())
                .thenApply(done -> null);
    }

    /** Stops every component (last registered first), the actor system and the handler pool; waits for them. */
    @Override
    public void close() {
        Duration timeout = config.shutdownTimeout();
        try {
            AskPattern.ask(system, (ActorRef<Done> replyTo) -> new NodeGuardian.StopAll(replyTo),
                    timeout, system.scheduler()).toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            log.warn("node {}: components did not all stop within {}: {}", config.name(), timeout, e.toString());
        }
        system.terminate();
        try {
            system.getWhenTerminated().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("node {}: actor system did not terminate within {}: {}", config.name(), timeout, e.toString());
        }
        handlers.close();
        log.info("node {} closed", config.name());
    }
}
