package dev.switchboard.rabbitmq;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Objects;

/**
 * Where a node's one RabbitMQ connection goes and how it behaves. Immutable; built by
 * {@link #newBuilder(String)}, each option validated when set.
 */
public final class RabbitConfig {

    private final URI uri;
    private final String connectionName;
    private final Duration heartbeat;
    private final Duration connectTimeout;
    private final Duration recoveryInterval;

    private RabbitConfig(Builder b) {
        this.uri = b.uri;
        this.connectionName = b.connectionName;
        this.heartbeat = b.heartbeat;
        this.connectTimeout = b.connectTimeout;
        this.recoveryInterval = b.recoveryInterval;
    }

    /** @param uri {@code amqp://user:password@host:port/vhost} ({@code amqps://} for TLS) */
    public static Builder newBuilder(String uri) {
        return new Builder(uri);
    }

    public URI uri() {
        return uri;
    }

    /** The URI without its password, for logs. */
    public String safeUri() {
        String user = uri.getUserInfo() == null ? "" : uri.getUserInfo().split(":", 2)[0] + "@";
        return uri.getScheme() + "://" + user + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
                + (uri.getRawPath() == null ? "" : uri.getRawPath());
    }

    /** Shown in the broker's connection list ({@code rabbitmqctl list_connections client_properties}). */
    public String connectionName() {
        return connectionName;
    }

    /** AMQP heartbeat: a broker silent for about twice this long counts as gone. Default 10 s. */
    public Duration heartbeat() {
        return heartbeat;
    }

    /** Bound on opening the TCP connection and the AMQP handshake. Default 5 s. */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** Pause between automatic recovery attempts after the connection was lost. Default 2 s. */
    public Duration recoveryInterval() {
        return recoveryInterval;
    }

    @Override
    public String toString() {
        return "RabbitConfig[" + safeUri() + ", name=" + connectionName + ", heartbeat=" + heartbeat + "]";
    }

    public static final class Builder {
        private final URI uri;
        private String connectionName = "switchboard";
        private Duration heartbeat = Duration.ofSeconds(10);
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration recoveryInterval = Duration.ofSeconds(2);

        private Builder(String uri) {
            Objects.requireNonNull(uri, "uri");
            try {
                URI u = new URI(uri);
                if (!"amqp".equals(u.getScheme()) && !"amqps".equals(u.getScheme())) {
                    throw new IllegalArgumentException("uri must start with amqp:// or amqps://, was \"" + uri + "\"");
                }
                if (u.getHost() == null) {
                    throw new IllegalArgumentException("uri has no host: \"" + uri + "\"");
                }
                this.uri = u;
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("uri is not a URI: " + e.getMessage());
            }
        }

        public Builder connectionName(String name) {
            this.connectionName = Objects.requireNonNull(name, "connectionName");
            return this;
        }

        /** 1 s .. 10 min, or zero for none (not advised: a dead broker is then noticed by TCP only). */
        public Builder heartbeat(Duration d) {
            Objects.requireNonNull(d, "heartbeat");
            if (d.isNegative() || (!d.isZero() && d.compareTo(Duration.ofSeconds(1)) < 0) || d.compareTo(Duration.ofMinutes(10)) > 0) {
                throw new IllegalArgumentException("heartbeat must be 0 or within 1s..10m, was " + d);
            }
            this.heartbeat = d;
            return this;
        }

        /** 100 ms .. 5 min. */
        public Builder connectTimeout(Duration d) {
            this.connectTimeout = within("connectTimeout", d, Duration.ofMillis(100), Duration.ofMinutes(5));
            return this;
        }

        /** 100 ms .. 5 min. */
        public Builder recoveryInterval(Duration d) {
            this.recoveryInterval = within("recoveryInterval", d, Duration.ofMillis(100), Duration.ofMinutes(5));
            return this;
        }

        public RabbitConfig build() {
            return new RabbitConfig(this);
        }

        private static Duration within(String name, Duration d, Duration min, Duration max) {
            Objects.requireNonNull(d, name);
            if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
                throw new IllegalArgumentException(name + " must be within " + min + ".." + max + ", was " + d);
            }
            return d;
        }
    }
}
