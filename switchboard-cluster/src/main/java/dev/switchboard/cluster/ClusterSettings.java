package dev.switchboard.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where this node listens for its cluster peers and whom it contacts to join; turned into the Pekko
 * settings of the node's actor system by {@link #pekko(String)}.
 *
 * @param host        the address other nodes reach this one at (Artery's canonical hostname; it also binds there)
 * @param port        Artery's TCP port; 0 picks a free one (tests)
 * @param seedNodes   {@code host:port} of the nodes contacted to join, this one's included on the first seed;
 *                    every node of a cluster lists the same seeds in the same order
 * @param stableAfter how long membership must be stable before the split-brain resolver decides (downs the
 *                    unreachable side); also how long a lost node is still counted as a peer at worst
 */
public record ClusterSettings(String host, int port, List<String> seedNodes, Duration stableAfter) {

    private static final Pattern HOST_PORT = Pattern.compile("([^:\\s]+):(\\d{1,5})");

    /** Pekko's default: long enough that a GC pause or a slow start does not down a healthy node. */
    public static final Duration DEFAULT_STABLE_AFTER = Duration.ofSeconds(20);

    public ClusterSettings {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("cluster port must be 0..65535, was " + port);
        }
        seedNodes = List.copyOf(seedNodes);
        for (String s : seedNodes) {
            Matcher m = HOST_PORT.matcher(s);
            if (!m.matches() || Integer.parseInt(m.group(2)) > 65535) {
                throw new IllegalArgumentException("a seed node is host:port, was '" + s + "'");
            }
        }
        Objects.requireNonNull(stableAfter, "stableAfter");
        if (stableAfter.isNegative() || stableAfter.isZero()) {
            throw new IllegalArgumentException("stable-after must be positive, was " + stableAfter);
        }
    }

    /**
     * The Pekko settings of a cluster node whose actor system is named {@code systemName} (every node of a
     * cluster uses the same name): the cluster provider, Artery over TCP, the seed nodes, the split-brain
     * resolver with keep-majority, and a removed node keeping its actor system (the server reports itself
     * not ready instead of Pekko terminating what the node's other components run on).
     */
    public Config pekko(String systemName) {
        List<String> seeds = seedNodes.stream().map(s -> "pekko://" + systemName + "@" + s).toList();
        return ConfigFactory.parseString("""
                        pekko.actor.provider = cluster
                        pekko.remote.artery.transport = tcp
                        pekko.cluster.downing-provider-class = "org.apache.pekko.cluster.sbr.SplitBrainResolverProvider"
                        pekko.cluster.split-brain-resolver.active-strategy = keep-majority
                        pekko.cluster.run-coordinated-shutdown-when-down = off
                        pekko.cluster.log-info = off
                        pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
                        """)
                .withValue("pekko.remote.artery.canonical.hostname", ConfigValueFactory.fromAnyRef(host))
                .withValue("pekko.remote.artery.canonical.port", ConfigValueFactory.fromAnyRef(port))
                .withValue("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(seeds))
                .withValue("pekko.cluster.split-brain-resolver.stable-after",
                        ConfigValueFactory.fromAnyRef(stableAfter.toMillis() + "ms"));
    }
}
