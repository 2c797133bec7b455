package dev.switchboard.socketio;

import dev.switchboard.core.handler.HandlerRunner;
import dev.switchboard.core.routing.Router;
import dev.switchboard.engineio.EngineIoServer;
import dev.switchboard.transport.HttpHandler;
import dev.switchboard.transport.HttpServer;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The server: namespaces by name, dynamic parents in registration order, the Engine.IO server below. */
final class DefaultSocketIoServer implements SocketIoServer {

    private static final Logger log = LoggerFactory.getLogger(DefaultSocketIoServer.class);

    private final SocketIoRuntime runtime;
    private final EngineIoServer engine;
    private final Map<String, NamespaceImpl> namespaces = new ConcurrentHashMap<>();
    private final List<ParentNamespaceImpl> parents = new CopyOnWriteArrayList<>();
    private final NamespaceImpl main;
    private volatile HttpServer ownServer;
    private volatile boolean closing;

    DefaultSocketIoServer(SocketIoConfig config, Router router) {
        this(config, router, ContainedHandlers.standaloneRunner());
    }

    DefaultSocketIoServer(SocketIoConfig config, Router router, HandlerRunner handlers) {
        this.runtime = new SocketIoRuntime(Objects.requireNonNull(config, "config"), Objects.requireNonNull(router, "router"),
                Objects.requireNonNull(handlers, "handlers"));
        this.main = (NamespaceImpl) of("/");
        this.engine = EngineIoServer.create(config.engine(), session -> {
            if (closing) {
                session.close();
                return;
            }
            new Client(this, session);
        });
    }

    SocketIoRuntime runtime() {
        return runtime;
    }

    @Override
    public SocketIoConfig config() {
        return runtime.config();
    }

    @Override
    public Router router() {
        return runtime.router();
    }

    @Override
    public Namespace of(String name) {
        Objects.requireNonNull(name, "name");
        String n = name.startsWith("/") ? name : "/" + name;
        return namespaces.computeIfAbsent(n, k -> new NamespaceImpl(runtime, k, null));
    }

    @Override
    public Namespace of(Pattern pattern) {
        ParentNamespaceImpl p = new ParentNamespaceImpl(runtime, "/" + pattern.pattern() + "/", n -> pattern.matcher(n).find());
        parents.add(p);
        return p;
    }

    @Override
    public Namespace of(Predicate<String> matcher) {
        ParentNamespaceImpl p = new ParentNamespaceImpl(runtime, "<predicate " + parents.size() + ">", matcher);
        parents.add(p);
        return p;
    }

    @Override
    public Namespace sockets() {
        return main;
    }

    @Override
    public Namespace namespace(String name) {
        return namespaces.get(name);
    }

    @Override
    public Collection<Namespace> namespaces() {
        return List.copyOf(namespaces.values());
    }

    /** socket.io Server._checkNamespace: an existing namespace, or a new child of the first matching parent. */
    NamespaceImpl namespaceFor(String name) {
        NamespaceImpl existing = namespaces.get(name);
        if (existing != null) {
            return existing;
        }
        for (ParentNamespaceImpl p : parents) {
            boolean match;
            try {
                match = p.matches(name);
            } catch (RuntimeException e) {
                log.warn("dynamic namespace matcher {} failed for {}: {}", p.name(), name, e.toString());
                match = false;
            }
            if (match) {
                return namespaces.computeIfAbsent(name, n -> p.createChild(n,
                        runtime.config().cleanupEmptyChildNamespaces() ? this::removeChild : null));
            }
        }
        return null;
    }

    private void removeChild(NamespaceImpl child) {
        namespaces.remove(child.name(), child);
    }

    @Override
    public dev.switchboard.core.bridge.InboundStorage inboundStorage() {
        return message -> {
            NamespaceImpl nsp = namespaces.get(message.space());
            return nsp == null ? java.util.concurrent.CompletableFuture.completedFuture(message) : nsp.keep(message);
        };
    }

    @Override
    public EngineIoServer engine() {
        return engine;
    }

    @Override
    public HttpHandler httpHandler() {
        return engine.httpHandler();
    }

    @Override
    public synchronized CompletionStage<InetSocketAddress> start() {
        if (ownServer != null) {
            throw new IllegalStateException("already started");
        }
        ownServer = HttpServer.builder(runtime.config().transport()).route(path(), httpHandler()).build();
        return ownServer.start();
    }

    /** Tests over in-memory sessions: every socket leaves, nothing else (no engine to close). */
    void closeNamespacesForTest() {
        for (NamespaceImpl n : new ArrayList<>(namespaces.values())) {
            n.closeAll();
        }
    }

    /** Rounds of loop barriers {@link #disconnectAll} runs at most while sockets are still leaving. */
    private static final int MAX_DISCONNECT_ROUNDS = 8;

    @Override
    public CompletionStage<Void> disconnectAll() {
        for (NamespaceImpl n : new ArrayList<>(namespaces.values())) {
            n.local().disconnectSockets(false);
        }
        return disconnected(MAX_DISCONNECT_ROUNDS);
    }

    /**
     * A socket leaves in a task on its session's loop, which queues the DISCONNECT write as a task of
     * its own: so a barrier task on every loop until no socket is left, then one more for the writes.
     */
    private CompletableFuture<Void> disconnected(int roundsLeft) {
        return barrier().thenCompose(v -> {
            boolean empty = namespaces.values().stream().allMatch(n -> n.sockets().isEmpty());
            return empty || roundsLeft == 0 ? barrier() : disconnected(roundsLeft - 1);
        });
    }

    /** Completes once each session's event loop ran the tasks queued before it; a stopping loop counts as done. */
    private CompletableFuture<Void> barrier() {
        java.util.Set<io.netty.channel.EventLoop> loops = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (dev.switchboard.engineio.EngineSocket session : engine.sessions()) {
            loops.add(session.eventLoop());
        }
        List<CompletableFuture<Void>> passed = new ArrayList<>(loops.size());
        for (io.netty.channel.EventLoop loop : loops) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            try {
                loop.execute(() -> f.complete(null));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                f.complete(null);
            }
            passed.add(f);
        }
        return CompletableFuture.allOf(passed.toArray(CompletableFuture[]::new));
    }

    @Override
    public CompletionStage<Void> close() {
        if (closing) {
            return CompletableFuture.completedFuture(null);
        }
        closing = true;
        for (NamespaceImpl n : new ArrayList<>(namespaces.values())) {
            n.closeAll();
        }
        CompletionStage<Void> engineClosed = engine.close();
        HttpServer server = ownServer;
        if (server == null) {
            return engineClosed;
        }
        return engineClosed.handle((v, e) -> null).thenCompose(v -> server.shutdown());
    }
}
