package dev.switchboard.server.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads the configuration from four layers, highest precedence first: command-line overrides,
 * {@code SWITCHBOARD_*} environment variables, the {@code --config} file, and the defaults in
 * {@code switchboard-reference.conf}. Every key of every layer must exist in the reference (a typo is
 * refused, with the nearest known key suggested), and every value is read with the type of its
 * reference default; any problem is one {@link ConfigProblem} line that names the key and where it
 * was set.
 */
public final class ConfigLoader {

    /** Classpath resource holding every option with its default and documentation. */
    public static final String REFERENCE = "switchboard-reference.conf";
    static final String ROOT = "switchboard";
    static final String ENV_PREFIX = "SWITCHBOARD_";

    private final Config reference;
    /** Leaf paths of the reference ("switchboard.http.port") with their value types. */
    private final Map<String, ConfigValueType> leaves = new TreeMap<>();
    /** Paths of objects in the reference ("switchboard", "switchboard.http"). */
    private final Set<String> objects = new TreeSet<>();
    /** SWITCHBOARD_HTTP_PORT -> switchboard.http.port. */
    private final Map<String, String> envNames = new TreeMap<>();

    public ConfigLoader() {
        reference = ConfigFactory.parseResources(
                ConfigLoader.class.getClassLoader(), REFERENCE, ConfigParseOptions.defaults().setAllowMissing(false));
        index(reference.root(), List.of());
        for (String leaf : leaves.keySet()) {
            envNames.put(envName(leaf), leaf);
        }
    }

    /** The environment variable that sets a key: switchboard.socketio.ping-interval -> SWITCHBOARD_SOCKETIO_PING_INTERVAL. */
    public static String envName(String path) {
        String rest = path.substring(ROOT.length() + 1);
        return ENV_PREFIX + rest.replace('.', '_').replace('-', '_').toUpperCase(Locale.ROOT);
    }

    /**
     * @param file      the --config file, if any
     * @param env       the process environment (only {@code SWITCHBOARD_*} entries are read)
     * @param overrides key (full path, e.g. {@code switchboard.http.port}) to value, from the command line
     */
    public ServerConfig load(Optional<Path> file, Map<String, String> env, Map<String, Object> overrides)
            throws ConfigProblem {
        Config fileLayer = ConfigFactory.empty();
        String source = "defaults";
        if (file.isPresent()) {
            Path path = file.get();
            if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
                throw new ConfigProblem("config file " + path + ": not found or not readable");
            }
            try {
                fileLayer = ConfigFactory.parseFile(path.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
            } catch (ConfigException e) {
                throw new ConfigProblem("config file " + path + ": " + oneLine(e.getMessage()));
            }
            checkKnown(fileLayer.root(), List.of());
            source = path.toAbsolutePath().normalize().toString();
        }

        Config envLayer = ConfigFactory.empty();
        for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
            if (!e.getKey().startsWith(ENV_PREFIX)) {
                continue;
            }
            String path = envNames.get(e.getKey());
            if (path == null) {
                throw new ConfigProblem("environment variable " + e.getKey() + ": unknown key"
                        + suggestion(e.getKey(), envNames.keySet()));
            }
            envLayer = envLayer.withValue(path, textValue(path, e.getValue(), "environment variable " + e.getKey()));
        }

        Config cliLayer = ConfigFactory.empty();
        for (Map.Entry<String, Object> e : overrides.entrySet()) {
            String path = e.getKey();
            if (!leaves.containsKey(path)) {
                throw new ConfigProblem(path + " (command line): unknown key" + suggestion(path, leaves.keySet()));
            }
            ConfigValue value = e.getValue() instanceof String s
                    ? textValue(path, s, "command line")
                    : ConfigValueFactory.fromAnyRef(e.getValue(), "command line");
            cliLayer = cliLayer.withValue(path, value);
        }

        Config merged;
        try {
            merged = cliLayer.withFallback(envLayer).withFallback(fileLayer).withFallback(reference).resolve();
        } catch (ConfigException e) {
            throw new ConfigProblem(oneLine(e.getMessage()));
        }
        return read(new Reader(merged), source);
    }

    private ServerConfig read(Reader r, String source) throws ConfigProblem {
        Path dataDir = Path.of(r.string("switchboard.data-dir", false)).toAbsolutePath().normalize();

        boolean tlsEnabled = r.bool("switchboard.http.tls.enabled");
        Path cert = null;
        Path key = null;
        if (tlsEnabled) {
            cert = r.readableFile("switchboard.http.tls.cert-chain");
            key = r.readableFile("switchboard.http.tls.private-key");
        }
        ServerConfig.Http http = new ServerConfig.Http(
                r.string("switchboard.http.host", false),
                (int) r.longInRange("switchboard.http.port", 0, 65535),
                r.stringList("switchboard.http.cors-origins"),
                r.longInRange("switchboard.http.max-request-body", 1, Integer.MAX_VALUE),
                new ServerConfig.Tls(tlsEnabled, cert, key));

        String sioPath = r.string("switchboard.socketio.path", false);
        if (!sioPath.startsWith("/") || !sioPath.endsWith("/")) {
            throw r.problem("switchboard.socketio.path", "must start and end with '/', found \"" + sioPath + "\"");
        }
        ServerConfig.SocketIo socketIo = new ServerConfig.SocketIo(
                sioPath,
                r.duration("switchboard.socketio.ping-interval", false),
                r.duration("switchboard.socketio.ping-timeout", false),
                r.longInRange("switchboard.socketio.max-payload", 1, Integer.MAX_VALUE),
                r.duration("switchboard.socketio.connect-timeout", false),
                r.duration("switchboard.socketio.recovery", true),
                r.bool("switchboard.socketio.per-message-deflate"),
                (int) r.longInRange("switchboard.socketio.per-message-deflate-threshold", 0, Integer.MAX_VALUE),
                r.bool("switchboard.socketio.http-compression"),
                (int) r.longInRange("switchboard.socketio.http-compression-threshold", 0, Integer.MAX_VALUE));

        ServerConfig.Api api = new ServerConfig.Api(
                r.bool("switchboard.api.enabled"), r.string("switchboard.api.token", true));

        String store = r.string("switchboard.store", false);
        if (dev.switchboard.server.storage.StoragePlanes.named(store) == null) {
            throw r.problem("switchboard.store", "unknown store \"" + store + "\" (known: "
                    + String.join(", ", dev.switchboard.server.storage.StoragePlanes.names()) + ")");
        }
        String bootstrap = r.string("switchboard.kafka.bootstrap-servers", true);
        if (store.equals("kafka") && !bootstrap.matches("[^,:\\s]+:\\d{1,5}(,[^,:\\s]+:\\d{1,5})*")) {
            throw r.problem("switchboard.kafka.bootstrap-servers",
                    "switchboard.store = kafka needs \"host:port[,host:port...]\", found \"" + bootstrap + "\"");
        }
        String kafkaTopic = r.string("switchboard.kafka.topic", false);
        if (!kafkaTopic.matches("[a-zA-Z0-9._-]{1,249}")) {
            throw r.problem("switchboard.kafka.topic", "must be 1..249 of [a-zA-Z0-9._-], found \"" + kafkaTopic + "\"");
        }
        dev.switchboard.server.storage.KafkaSettings kafka = new dev.switchboard.server.storage.KafkaSettings(bootstrap,
                kafkaTopic, (int) r.longInRange("switchboard.kafka.partitions", 1, 100_000),
                r.duration("switchboard.kafka.retention", true), r.duration("switchboard.kafka.request-timeout", false));
        if (kafka.requestTimeout().toMillis() < 100) {
            throw r.problem("switchboard.kafka.request-timeout", "must be at least 100ms, found " + kafka.requestTimeout());
        }
        dev.switchboard.server.auth.AuthSettings auth = dev.switchboard.server.auth.AuthSettings.read(r.config);
        if (api.enabled() && !auth.apiTokenRequired() && !auth.apiInsecure() && !loopback(http.host())) {
            throw r.problem("switchboard.http.host", "\"" + http.host() + "\" is not a loopback address and the"
                    + " HTTP API has no token: anyone reaching the port could publish and disconnect clients. Set"
                    + " switchboard.api.token (SWITCHBOARD_API_TOKEN, --token), switchboard.api.tokens or"
                    + " switchboard.auth.jwt, or set switchboard.api.insecure = true to run it open anyway");
        }

        return new ServerConfig(
                dataDir,
                http,
                socketIo,
                api,
                r.bool("switchboard.demo.enabled"),
                r.bool("switchboard.metrics.enabled"),
                r.duration("switchboard.shutdown.timeout", true),
                source,
                dev.switchboard.server.durable.DurableSettings.read(r.config).withStore(store),
                dev.switchboard.server.admin.AdminUiSettings.read(r.config),
                dev.switchboard.server.logging.LogFormat.read(r.config),
                auth,
                dev.switchboard.server.managed.ManagedSettings.read(r.config),
                dev.switchboard.server.limits.LimitSettings.read(r.config),
                dev.switchboard.server.bridge.BridgeSettings.read(r.config),
                mqtt(r),
                kafka,
                dev.switchboard.server.rabbitmq.RabbitSettings.read(r.config),
                cluster(r));
    }

    private ServerConfig.Cluster cluster(Reader r) throws ConfigProblem {
        List<String> seeds = r.stringList("switchboard.cluster.seed-nodes");
        for (String s : seeds) {
            if (!s.matches("[^:\\s]+:\\d{1,5}")) {
                throw r.problem("switchboard.cluster.seed-nodes", "each seed node is \"host:port\", found \"" + s + "\"");
            }
        }
        boolean enabled = r.bool("switchboard.cluster.enabled");
        if (enabled && seeds.isEmpty()) {
            throw r.problem("switchboard.cluster.seed-nodes", "switchboard.cluster.enabled = true needs at least one"
                    + " seed node (\"host:port\", this node's own address on the first node)");
        }
        return new ServerConfig.Cluster(enabled, r.string("switchboard.cluster.host", false),
                (int) r.longInRange("switchboard.cluster.port", 0, 65535), seeds,
                r.duration("switchboard.cluster.stable-after", false));
    }

    /** Whether {@code host} names only this machine (127.0.0.0/8, ::1, localhost); unresolvable: not. */
    static boolean loopback(String host) {
        try {
            for (java.net.InetAddress a : java.net.InetAddress.getAllByName(host)) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    private ServerConfig.Mqtt mqtt(Reader r) throws ConfigProblem {
        java.util.OptionalInt port = r.config.getIsNull("switchboard.mqtt.port") ? java.util.OptionalInt.empty()
                : java.util.OptionalInt.of((int) r.longInRange("switchboard.mqtt.port", 0, 65535));
        String ns = r.string("switchboard.mqtt.namespace", false);
        if (!ns.startsWith("/")) {
            throw r.problem("switchboard.mqtt.namespace", "must start with '/', found \"" + ns + "\"");
        }
        String overflow = r.string("switchboard.mqtt.queue-overflow", false);
        if (!overflow.equals("refuse-newest") && !overflow.equals("drop-oldest")) {
            throw r.problem("switchboard.mqtt.queue-overflow",
                    "must be \"refuse-newest\" or \"drop-oldest\", found \"" + overflow + "\"");
        }
        Duration expiry = r.duration("switchboard.mqtt.max-session-expiry", false);
        if (expiry.toSeconds() < 1 || expiry.toSeconds() > 0xFFFF_FFFEL) {
            throw r.problem("switchboard.mqtt.max-session-expiry", "must be within 1 s and 4294967294 s, found " + expiry);
        }
        Optional<String> wsPath = Optional.empty();
        if (!r.config.getIsNull("switchboard.mqtt.websocket-path")) {
            String p = r.string("switchboard.mqtt.websocket-path", false);
            if (!p.startsWith("/")) {
                throw r.problem("switchboard.mqtt.websocket-path", "must start with '/', found \"" + p + "\"");
            }
            wsPath = Optional.of(p);
        }
        return new ServerConfig.Mqtt(port,
                r.string("switchboard.mqtt.host", false),
                ns,
                r.string("switchboard.mqtt.event", false),
                (int) r.longInRange("switchboard.mqtt.max-packet-size", 64, 268_435_455),
                (int) r.longInRange("switchboard.mqtt.receive-maximum", 1, 65535),
                (int) r.longInRange("switchboard.mqtt.max-inflight", 1, 65535),
                (int) r.longInRange("switchboard.mqtt.max-queued", 0, 10_000_000),
                (int) r.longInRange("switchboard.mqtt.max-retained", 0, 100_000_000),
                expiry, overflow, wsPath);
    }

    // ---- unknown keys ----

    private void index(ConfigObject object, List<String> prefix) {
        if (!prefix.isEmpty()) {
            objects.add(ConfigUtil.joinPath(prefix));
        }
        for (Map.Entry<String, ConfigValue> e : object.entrySet()) {
            List<String> path = append(prefix, e.getKey());
            if (e.getValue() instanceof ConfigObject child) {
                index(child, path);
            } else {
                leaves.put(ConfigUtil.joinPath(path), e.getValue().valueType());
            }
        }
    }

    /** Walks the whole tree (so an unknown empty object is caught too). */
    private void checkKnown(ConfigObject object, List<String> prefix) throws ConfigProblem {
        for (Map.Entry<String, ConfigValue> e : new TreeMap<>(object).entrySet()) {
            List<String> pathList = append(prefix, e.getKey());
            String path = ConfigUtil.joinPath(pathList);
            ConfigValue value = e.getValue();
            if (value instanceof ConfigObject child) {
                if (objects.contains(path)) {
                    checkKnown(child, pathList);
                } else if (leaves.containsKey(path)) {
                    throw new ConfigProblem(path + " (" + where(value.origin()) + "): expected "
                            + kind(leaves.get(path)) + ", found an object");
                } else {
                    throw new ConfigProblem(path + " (" + where(value.origin()) + "): unknown key"
                            + suggestion(path, allPaths()));
                }
            } else if (!leaves.containsKey(path)) {
                if (objects.contains(path)) {
                    throw new ConfigProblem(path + " (" + where(value.origin()) + "): expected an object, found "
                            + value.render());
                }
                throw new ConfigProblem(path + " (" + where(value.origin()) + "): unknown key"
                        + suggestion(path, allPaths()));
            }
        }
    }

    private Set<String> allPaths() {
        Set<String> all = new TreeSet<>(leaves.keySet());
        all.addAll(objects);
        return all;
    }

    private ConfigValue textValue(String path, String text, String origin) {
        if (leaves.get(path) == ConfigValueType.LIST) {
            List<String> items = text.isBlank() ? List.of()
                    : Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
            return ConfigValueFactory.fromIterable(items, origin);
        }
        return ConfigValueFactory.fromAnyRef(text, origin);
    }

    private static List<String> append(List<String> prefix, String key) {
        List<String> path = new ArrayList<>(prefix);
        path.add(key);
        return path;
    }

    static String suggestion(String unknown, Set<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int d = levenshtein(unknown, k);
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return best != null && bestDistance <= 3 ? " (did you mean " + best + "?)" : "";
    }

    private static int levenshtein(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    static String where(ConfigOrigin origin) {
        if (origin == null) {
            return "unknown origin";
        }
        if (origin.filename() != null) {
            String name = origin.filename();
            return origin.lineNumber() > 0 ? name + " line " + origin.lineNumber() : name;
        }
        if (origin.resource() != null && origin.resource().endsWith(REFERENCE)) {
            return "default";
        }
        return origin.description();
    }

    static String kind(ConfigValueType type) {
        return switch (type) {
            case NUMBER -> "a number";
            case BOOLEAN -> "true or false";
            case LIST -> "a list";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NULL -> "a value";
        };
    }

    static String oneLine(String message) {
        return message == null ? "invalid" : message.replaceAll("\\s*\\R\\s*", " ").trim();
    }

    /** Typed reads that turn every failure into a one-line problem naming key and origin. */
    private static final class Reader {
        private final Config config;

        Reader(Config config) {
            this.config = config;
        }

        ConfigProblem problem(String path, String reason) {
            ConfigValue v = config.hasPathOrNull(path) ? config.getValue(path) : null;
            return new ConfigProblem(path + (v == null ? "" : " (" + where(v.origin()) + ")") + ": " + reason);
        }

        private String found(String path) {
            ConfigValue v = config.getValue(path);
            String text = v.render();
            return text.length() > 60 ? text.substring(0, 60) + "..." : text;
        }

        String string(String path, boolean allowEmpty) throws ConfigProblem {
            ConfigValue v = config.getValue(path);
            if (v.valueType() != ConfigValueType.STRING) {
                throw problem(path, "expected a string, found " + found(path));
            }
            String s = config.getString(path);
            if (!allowEmpty && s.isBlank()) {
                throw problem(path, "must not be empty");
            }
            return s;
        }

        boolean bool(String path) throws ConfigProblem {
            try {
                return config.getBoolean(path);
            } catch (ConfigException e) {
                throw problem(path, "expected true or false, found " + found(path));
            }
        }

        long longInRange(String path, long min, long max) throws ConfigProblem {
            long value;
            try {
                value = config.getLong(path);
            } catch (ConfigException e) {
                throw problem(path, "expected a whole number, found " + found(path));
            }
            if (value < min || value > max) {
                throw problem(path, "must be between " + min + " and " + max + ", found " + value);
            }
            return value;
        }

        Duration duration(String path, boolean allowZero) throws ConfigProblem {
            Duration d;
            try {
                d = config.getDuration(path);
            } catch (ConfigException e) {
                throw problem(path, "expected a duration such as 500ms, 25s or 2m, found " + found(path));
            }
            if (d.isNegative() || (!allowZero && d.isZero())) {
                throw problem(path, "must be " + (allowZero ? "zero or more" : "more than zero") + ", found " + found(path));
            }
            return d;
        }

        List<String> stringList(String path) throws ConfigProblem {
            try {
                return List.copyOf(config.getStringList(path));
            } catch (ConfigException e) {
                throw problem(path, "expected a list of strings, found " + found(path));
            }
        }

        Path readableFile(String path) throws ConfigProblem {
            String s = string(path, true);
            if (s.isBlank()) {
                throw problem(path, "required when switchboard.http.tls.enabled is true");
            }
            Path p = Path.of(s).toAbsolutePath().normalize();
            if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
                throw problem(path, "file " + p + " not found or not readable");
            }
            return p;
        }
    }

    /** For tests and --help: the documented keys. */
    Map<String, ConfigValueType> knownKeys() {
        return new LinkedHashMap<>(leaves);
    }
}
