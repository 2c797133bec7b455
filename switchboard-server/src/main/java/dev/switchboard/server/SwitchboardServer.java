package dev.switchboard.server;

import dev.switchboard.core.node.NodeConfig;
import dev.switchboard.server.api.SocketAdmin;
import dev.switchboard.server.cluster.ServerCluster;
import dev.switchboard.core.node.SupervisionPolicy;
import dev.switchboard.core.routing.RouterConfig;
import dev.switchboard.mqtt.MqttAuthenticator;
import dev.switchboard.mqtt.MqttConfig;
import dev.switchboard.mqtt.MqttMetrics;
import dev.switchboard.mqtt.MqttServer;
import dev.switchboard.mqtt.MqttStore;
import dev.switchboard.node.ComponentStatus;
import dev.switchboard.node.SwitchboardNode;
import dev.switchboard.server.admin.AdminUi;
import dev.switchboard.server.admin.AdminUiRoute;
import dev.switchboard.server.api.ApiAuth;
import dev.switchboard.server.api.HttpApi;
import dev.switchboard.server.auth.MqttAuth;
import dev.switchboard.server.auth.SocketAuthenticator;
import dev.switchboard.server.auth.TokenVerifier;
import dev.switchboard.server.bridge.ServerBridges;
import dev.switchboard.server.rabbitmq.ServerRabbit;
import dev.switchboard.server.config.ServerConfig;
import dev.switchboard.server.durable.DurableApi;
import dev.switchboard.server.durable.DurablePlane;
import dev.switchboard.server.health.Health;
import dev.switchboard.server.limits.LimitMeters;
import dev.switchboard.server.managed.ClientRooms;
import dev.switchboard.server.metrics.FanOutMetrics;
import dev.switchboard.server.metrics.ServerMetrics;
import dev.switchboard.server.realtime.Realtime;
import dev.switchboard.server.storage.StorageContext;
import dev.switchboard.server.storage.StoragePlane;
import dev.switchboard.server.storage.StoragePlanes;
import dev.switchboard.server.web.ApiRoute;
import dev.switchboard.server.web.ByteCountingRoute;
import dev.switchboard.server.api.ApiEndpoint;
import dev.switchboard.server.mqtt.MqttApi;
import dev.switchboard.server.web.DeferredRoute;
import dev.switchboard.server.web.HealthRoute;
import dev.switchboard.server.web.MetricsRoute;
import dev.switchboard.server.web.StaticRoute;
import dev.switchboard.transport.CorsConfig;
import dev.switchboard.transport.HttpServer;
import dev.switchboard.transport.TransportConfig;
import java.lang.management.ManagementFactory;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running server: one HTTP listener carrying Socket.IO, the HTTP API, health, metrics and the demo
 * page, over the data directory and the Socket.IO layer.
 *
 * <p>Start order: data directory (lock), metrics, Socket.IO, HTTP listener; stop runs the reverse:
 * stop accepting and tell clients ({@code server shutting down}), wait for acknowledgements in flight
 * within {@code switchboard.shutdown.timeout}, close the Socket.IO layer, the stores and the lock.
 */
public final class SwitchboardServer {

    private static final Logger log = LoggerFactory.getLogger("dev.switchboard.server");
    /** How long binding the listener may take before start gives up. */
    private static final Duration BIND_TIMEOUT = Duration.ofSeconds(10);
    /** How long start waits for every component before printing the URLs anyway (the store may be recovering). */
    private static final Duration READY_WAIT = Duration.ofSeconds(10);

    private final ServerConfig config;
    private final Deque<AutoCloseable> closeOnStop = new ArrayDeque<>();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CompletableFuture<Boolean> stopped = new CompletableFuture<>();
    private HttpServer http;
    private Realtime realtime;
    private Health health;
    private HttpApi httpApi;
    /** Set by the node's starting thread before it completes the node's future (which publishes it). */
    private dev.switchboard.cluster.SwitchboardCluster clusterMember;
    private final MqttApi mqttApi = new MqttApi();
    private DurablePlane durable;
    private InetSocketAddress address;
    private MqttListener mqtt;
    private SwitchboardNode node;
    private InetSocketAddress mqttAddress;

    private SwitchboardServer(ServerConfig config) {
        this.config = config;
    }

    /** Starts everything or nothing: on a failure what was started is closed again. */
    public static SwitchboardServer start(ServerConfig config) throws StartupProblem {
        SwitchboardServer server = new SwitchboardServer(config);
        try {
            server.doStart();
            return server;
        } catch (StartupProblem | RuntimeException e) {
            if (server.http != null) {
                // Built but not listening (bind failed): its event loops still need stopping.
                server.http.shutdown().toCompletableFuture().completeOnTimeout(null, 5, TimeUnit.SECONDS).join();
            }
            server.closeAll();
            if (e instanceof StartupProblem p) {
                throw p;
            }
            throw new StartupProblem(e.toString());
        }
    }

    private void doStart() throws StartupProblem {
        log.info("Switchboard {} starting: config {}, data directory {}", Main.Version.text(), config.source(),
                config.dataDir());
        health = new Health(config.mqtt().port().isPresent()
                ? Set.of("data-dir", "http", "socketio", "mqtt") : Set.of("data-dir", "http", "socketio"));

        ServerMetrics metrics = new ServerMetrics();
        closeOnStop.push(metrics);

        // First the data directory: the store inside it opens only once this server holds its lock.
        DataDirectory data = DataDirectory.open(config.dataDir());
        closeOnStop.push(data);
        health.register("data-dir", () -> data.held() ? Health.Status.up() : Health.Status.down("lock lost"));

        // The actor system is the slowest part of a start: it comes up (and opens the store) on its own
        // thread while this one loads the page assets.
        StoragePlane configured = StoragePlanes.named(config.durable().store())
                .create(new StorageContext(config.dataDir(), config.durable(), config.kafka(), metrics.registry()));
        // RabbitMQ, when a bridge or the inboxes use it: closed after the node (pushed before it).
        ServerRabbit rabbit = ServerRabbit.create(config, metrics.registry());
        if (rabbit != null) {
            closeOnStop.push(rabbit);
        }
        StoragePlane storage = rabbit == null ? configured : rabbit.storage(configured);
        CompletableFuture<SwitchboardNode> starting = new CompletableFuture<>();
        Thread nodeStarter = new Thread(() -> {
            try {
                NodeConfig.Builder nodeConfig = NodeConfig.builder()
                        .router(RouterConfig.builder().metrics(new FanOutMetrics(metrics.registry())).build())
                        .shutdownTimeout(config.shutdownTimeout().compareTo(Duration.ofSeconds(1)) > 0
                                ? config.shutdownTimeout() : Duration.ofSeconds(1));
                if (config.cluster().enabled()) {
                    ServerCluster.configure(nodeConfig, config.cluster());
                }
                SwitchboardNode node = SwitchboardNode.start(nodeConfig.build());
                if (config.cluster().enabled()) {
                    clusterMember = ServerCluster.attach(node, health, metrics.registry());
                }
                // The stores open (on the node's blocking dispatcher) while the rest starts.
                storage.components().forEach((name, c) -> node.supervise(name, c, storage.supervision(name)));
                if (rabbit != null) {
                    rabbit.supervise(node);
                }
                starting.complete(node);
            } catch (Throwable t) {
                starting.completeExceptionally(t);
            }
        }, "switchboard-node-start");
        nodeStarter.start();
        SwitchboardNode node;
        StaticRoute assets;
        try {
            assets = new StaticRoute(config.demoEnabled());
        } finally {
            // Whatever happened here, the node is owned (and closed on failure) like everything else.
            node = awaitNode(starting);
            closeOnStop.push(node);
        }
        health.registerAll(() -> supervised(node));
        // Durable rooms and inboxes: closed after Socket.IO (which saves sessions through it), before the node.
        durable = DurablePlane.open(config.durable(), storage);
        closeOnStop.push(durable);
        SocketAuthenticator authenticator = null;
        Optional<TokenVerifier> jwt = config.auth().jwt().enabled()
                ? Optional.of(TokenVerifier.jwt(config.auth().jwt())) : Optional.empty();
        if (jwt.isPresent()) {
            authenticator = new SocketAuthenticator(jwt.get(), config.auth().jwt(), metrics.registry());
            closeOnStop.push(authenticator);
            log.info("JWT authentication on: Socket.IO clients send auth.token; user ids come from its sub");
        }
        realtime = Realtime.create(config, node.router(), metrics.registry(), durable.recoveryBackend().orElse(null),
                node.handlers(), authenticator);
        closeOnStop.push(realtime);
        durable.install(realtime.io(), authenticator != null);
        if (config.adminUi().enabled()) {
            closeOnStop.push(AdminUi.install(realtime.io(), config.adminUi(), metrics.registry()));
        }
        // Bridges: supervised by the node; their routed events are wired into Socket.IO before it accepts connections.
        ServerBridges bridges = ServerBridges.open(config.bridges(), node, realtime.io(), metrics.registry(),
                authenticator != null, rabbit == null ? Map.of() : rabbit.bridgeFactories());
        closeOnStop.push(bridges);
        SocketAuthenticator identities = authenticator;
        ClientRooms.install(realtime.io(), Realtime.withDemo(config.managed(), config.demoEnabled()),
                s -> identities == null ? null : identities.identity(s), durable, bridges.handles(), metrics.registry());
        health.register("socketio", () -> stopping.get() ? Health.Status.down("shutting down") : Health.Status.up());

        // On a cluster node the API lists the rooms and sockets of every node (presence).
        SocketAdmin admin = clusterMember == null ? realtime.admin()
                : ServerCluster.presence(clusterMember, node, realtime.io(), realtime.admin(),
                        s -> identities == null || identities.identity(s) == null ? null
                                : identities.identity(s).subject());
        HttpServer.Builder routes = HttpServer.builder(transportConfig(config));
        routes.route(config.socketIo().path(), new ByteCountingRoute(realtime.httpHandler(), "socketio", metrics.registry()));
        if (config.api().enabled()) {
            List<ApiEndpoint> extra = new ArrayList<>(new DurableApi(durable).endpoints());
            extra.addAll(mqttApi.endpoints());
            httpApi = new HttpApi(admin, ApiAuth.of(config.auth(), jwt, metrics.registry()), metrics.registry(), extra);
            ApiRoute api = new ApiRoute(httpApi, config.http().maxRequestBody());
            closeOnStop.push(api);
            routes.route(HttpApi.PREFIX, api);
        }
        routes.route(HealthRoute.PREFIX, new HealthRoute(health));
        if (config.adminUi().enabled()) {
            routes.route(AdminUiRoute.PREFIX, new AdminUiRoute());
        }
        if (config.metricsEnabled()) {
            routes.route(MetricsRoute.PATH, new MetricsRoute(metrics));
        }
        DeferredRoute mqttWebSocket = null;
        if (config.mqtt().port().isPresent() && config.mqtt().websocketPath().isPresent()) {
            mqttWebSocket = new DeferredRoute();
            routes.route(config.mqtt().websocketPath().get(), mqttWebSocket);
        }
        routes.route("/", assets);
        http = routes.build();
        address = bind(http, config);
        LimitMeters.bind(http.stats(), metrics.registry());
        health.register("http", () -> stopping.get() ? Health.Status.down("shutting down") : Health.Status.up());
        if (config.mqtt().port().isPresent()) {
            startMqtt(node, metrics, storage, jwt, mqttWebSocket);
        }

        log.info("listening on {}://{} ({})", scheme(), hostPort(), http.transportName());
        boolean ready;
        try {
            ready = awaitReady(READY_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupProblem("interrupted while starting");
        }
        long sinceJvmStart = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
        if (ready) {
            log.info("ready {} ms after JVM start", sinceJvmStart);
        } else {
            log.warn("serving, but not every component is up after {} s: see /health/ready", READY_WAIT.toSeconds());
        }
        printUrls(ready);
    }

    /**
     * The MQTT listener on the HTTP listener's event loops, its topics rooms of the same router. With JWT
     * authentication on, clients send the token as their password ({@link MqttAuth}).
     */
    private void startMqtt(SwitchboardNode node, ServerMetrics metrics, StoragePlane storage,
                           Optional<TokenVerifier> jwt, DeferredRoute webSocket) throws StartupProblem {
        ServerConfig.Mqtt m = config.mqtt();
        MqttConfig mc = MqttConfig.builder()
                .host(m.host())
                .port(m.port().getAsInt())
                .namespace(m.namespace())
                .event(m.event())
                .maxPacketSize(m.maxPacketSize())
                .receiveMaximum(m.receiveMaximum())
                .maxInflight(m.maxInflight())
                .maxQueued(m.maxQueued())
                .maxRetained(m.maxRetained())
                .authenticator(jwt.<MqttAuthenticator>map(v -> new MqttAuth(v, metrics.registry())).orElse(MqttAuthenticator.NONE))
                .maxSessionExpiry(m.maxSessionExpiry())
                .queueOverflow(m.queueOverflow().equals("drop-oldest")
                        ? MqttConfig.QueueOverflow.DROP_OLDEST : MqttConfig.QueueOverflow.REFUSE_NEWEST)
                .build();
        MqttMetrics mqttMetrics = MqttMetrics.micrometer(metrics.registry());
        // Each incarnation of the supervised listener (see MqttListener) serves the WebSocket route and the
        // API from then on; persistent sessions and retained messages live in the storage plane's stores,
        // so a restarted listener finds them again.
        java.util.function.Supplier<MqttServer> listener = () -> {
            MqttServer s = MqttServer.create(mc, transportConfig(config), http.eventLoopGroup(),
                    "epoll".equals(http.transportName()), node.router(), mqttMetrics,
                    MqttStore.on(storage.sessions(), storage.queues()));
            if (webSocket != null) {
                webSocket.set(s.webSocketRoute());
            }
            mqttApi.serve(s);
            return s;
        };
        MqttServer mqtt = listener.get();
        String where = m.host() + ":" + m.port().getAsInt();
        try {
            // The listener reads its sessions from the stores before it binds: wait for them to open.
            long deadline = System.nanoTime() + READY_WAIT.toNanos();
            while (!storage.isOpen() && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
            mqttAddress = mqtt.start().toCompletableFuture().get(BIND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new StartupProblem("cannot listen for MQTT on " + where + ": " + e.getCause());
        } catch (TimeoutException e) {
            throw new StartupProblem("cannot listen for MQTT on " + where + ": no answer in " + BIND_TIMEOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupProblem("interrupted while binding MQTT on " + where);
        }
        // Bound here, so that a port in use stops the start; from now on the node supervises it.
        this.mqtt = new MqttListener(mqtt, mqttAddress, listener, http.eventLoopGroup(), BIND_TIMEOUT);
        this.node = node;
        node.supervise(MqttListener.NAME, this.mqtt, SupervisionPolicy.restartWithBackoff());
    }

    /** The MQTT listener (supervised), or null when MQTT is off. */
    MqttListener mqttListener() {
        return mqtt;
    }

    /** The MQTT listener's bound address, or null when MQTT is off. */
    public InetSocketAddress mqttAddress() {
        return mqtt != null ? mqtt.address() : null;
    }

    private static SwitchboardNode awaitNode(CompletableFuture<SwitchboardNode> starting) {
        try {
            return starting.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw new IllegalStateException("the actor system did not start: " + e.getCause(), e.getCause());
        }
    }

    /** The components of the core's supervision tree: ready only when each one is UP. */
    private static Map<String, Health.Status> supervised(SwitchboardNode node) {
        Map<String, Health.Status> out = new TreeMap<>();
        for (ComponentStatus c : node.health().components()) {
            out.put(c.name(), c.state() == ComponentStatus.State.UP ? Health.Status.up()
                    : Health.Status.down(c.state().name().toLowerCase(java.util.Locale.ROOT)
                            + (c.lastError() == null ? "" : ": " + c.lastError())));
        }
        return out;
    }

    private static InetSocketAddress bind(HttpServer http, ServerConfig config) throws StartupProblem {
        String where = config.http().host() + ":" + config.http().port();
        try {
            return http.start().toCompletableFuture().get(BIND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof BindException || (cause != null && String.valueOf(cause.getMessage()).contains("in use"))) {
                throw new StartupProblem("cannot listen on " + where + ": address already in use");
            }
            throw new StartupProblem("cannot listen on " + where + ": " + cause);
        } catch (TimeoutException e) {
            throw new StartupProblem("cannot listen on " + where + ": no answer from the listener in " + BIND_TIMEOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupProblem("interrupted while binding " + where);
        }
    }

    static TransportConfig transportConfig(ServerConfig config) {
        ServerConfig.Http h = config.http();
        ServerConfig.SocketIo s = config.socketIo();
        // The transport aggregates up to this many bytes; the API and Engine.IO enforce their own limits below it.
        long maxBody = Math.max(h.maxRequestBody(), s.maxPayload());
        // Idle connections are closed only well after the heartbeat would have noticed them.
        Duration heartbeat = s.pingInterval().plus(s.pingTimeout()).plusSeconds(10);
        TransportConfig.Builder b = TransportConfig.builder()
                .host(h.host())
                .port(h.port())
                .maxContentLength((int) Math.min(Integer.MAX_VALUE, maxBody))
                .idleTimeout(heartbeat.compareTo(Duration.ofSeconds(120)) > 0 ? heartbeat : Duration.ofSeconds(120))
                .shutdownTimeout(config.shutdownTimeout())
                .limits(config.limits().connectionLimits());
        if (!h.corsOrigins().isEmpty()) {
            b.cors(CorsConfig.origins(h.corsOrigins()).allowedHeaders("content-type", "authorization").build());
        }
        if (h.tls().enabled()) {
            b.tls(h.tls().certChain(), h.tls().privateKey());
        }
        return b.build();
    }

    /**
     * Waits until every component is up (what /health/ready reports), checking every 10 ms.
     *
     * @return false if that did not happen within {@code timeout}
     */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!health.ready()) {
            if (System.nanoTime() > deadline) {
                log.warn("not ready after {}: {}", timeout, health.snapshot());
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    /** Durable rooms' history and inboxes (the Java API behind /api/history and /api/inbox). */
    public DurablePlane durable() {
        return durable;
    }

    /** The bound address (the real port when configured with 0). */
    public InetSocketAddress address() {
        return address;
    }

    private String scheme() {
        return config.http().tls().enabled() ? "https" : "http";
    }

    private String hostPort() {
        String host = config.http().host();
        if (host.equals("0.0.0.0") || host.equals("::")) {
            host = "localhost";
        }
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return host + ":" + address.getPort();
    }

    private void printUrls(boolean ready) {
        String base = scheme() + "://" + hostPort();
        StringBuilder sb = new StringBuilder(ready ? "\nSwitchboard is ready.\n" : "\nSwitchboard is starting.\n");
        if (config.demoEnabled()) {
            sb.append("  Demo chat:  ").append(base).append("/\n");
        }
        sb.append("  Socket.IO:  io(\"").append(base).append("\")");
        if (!config.socketIo().path().equals("/socket.io/")) {
            sb.append(" with path \"").append(config.socketIo().path()).append('"');
        }
        sb.append('\n');
        if (config.api().enabled()) {
            sb.append("  HTTP API:   ").append(base).append("/api/  (OpenAPI: ").append(base).append("/api/openapi.json)\n");
            sb.append(config.auth().apiTokenRequired()
                    ? "              send 'Authorization: Bearer <token>' (the value of SWITCHBOARD_API_TOKEN)\n"
                    : "              no token: set SWITCHBOARD_API_TOKEN to require 'Authorization: Bearer <token>'\n");
        }
        if (config.adminUi().enabled()) {
            sb.append("  Admin UI:   ").append(base).append(AdminUiRoute.PREFIX).append("/  (namespace ")
                    .append(dev.switchboard.server.admin.AdminUiSettings.NAMESPACE).append(')')
                    .append(config.adminUi().auth() == dev.switchboard.server.admin.AdminUiSettings.Auth.NONE
                            ? ", no password" : ", user " + config.adminUi().username()).append('\n');
        }
        if (mqttAddress != null) {
            sb.append("  MQTT:       mqtt://").append(hostPort().replaceAll(":\\d+$", "")).append(':')
                    .append(mqttAddress.getPort()).append("  (topics are rooms of namespace ")
                    .append(config.mqtt().namespace()).append(")\n");
        }
        sb.append("  Health:     ").append(base).append("/health/ready");
        if (config.metricsEnabled()) {
            sb.append("   Metrics: ").append(base).append("/metrics");
        }
        sb.append("\nPress Ctrl-C to stop.\n");
        if (config.logFormat() == dev.switchboard.server.logging.LogFormat.JSON) {
            // Standard output carries only JSON objects then: the banner is one log event.
            log.info(sb.toString().strip());
            return;
        }
        System.out.println(sb);
        System.out.flush();
    }

    /**
     * Graceful stop, once (later calls wait for the first): let HTTP API publishes that wait for
     * acknowledgements finish within the shutdown timeout (refusing new ones), tell every client
     * (DISCONNECT, then {@code server shutting down} closes the sessions and new handshakes are refused),
     * stop the listener, then close the node (the store flushes and closes) and release the data directory.
     * Acknowledgements awaited by handler code ({@code socket.emitWithAck}) are not waited for: the
     * Socket.IO layer does not expose them yet.
     */
    public void stop() {
        if (!stopping.compareAndSet(false, true)) {
            stopped.join();
            return;
        }
        long start = System.nanoTime();
        boolean clean = true;
        try {
            if (httpApi != null && !httpApi.drainAcks(config.shutdownTimeout())) {
                log.warn("publishes still waiting for acknowledgements after {}; their clients are disconnected now",
                        config.shutdownTimeout());
            }
            if (realtime != null) {
                // Then, while the listener still carries their connections: tell every client.
                realtime.close();
            }
            if (mqtt != null) {
                // Before the HTTP listener, whose event loops it runs on.
                node.stop(MqttListener.NAME).toCompletableFuture().get(config.shutdownTimeout().toMillis() + 5_000,
                        TimeUnit.MILLISECONDS);
            }
            if (http != null) {
                http.shutdown().toCompletableFuture()
                        .get(config.shutdownTimeout().toMillis() + 5_000, TimeUnit.MILLISECONDS);
            }
        } catch (ExecutionException | TimeoutException e) {
            log.warn("HTTP listener did not shut down cleanly: {}", e.getCause() != null ? e.getCause() : e);
            clean = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            clean = false;
        }
        clean &= closeAll();
        log.info("stopped in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        stopped.complete(clean);
    }

    private boolean closeAll() {
        boolean clean = true;
        while (!closeOnStop.isEmpty()) {
            AutoCloseable c = closeOnStop.pop();
            try {
                c.close();
            } catch (Exception e) {
                log.warn("closing {} failed: {}", c.getClass().getSimpleName(), e.toString());
                clean = false;
            }
        }
        return clean;
    }

    /** Blocks until {@link #stop()} finished; true when everything closed cleanly. */
    public boolean awaitStopped() {
        return stopped.join();
    }
}
