package dev.switchboard.mqtt;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the MQTT gateway. Immutable; built by {@link #builder()}, whose setters validate at once.
 * Every option is documented with its default.
 */
public final class MqttConfig {

    private final String host;
    private final int port;
    private final String namespace;
    private final String event;
    private final int maxPacketSize;
    private final int receiveMaximum;
    private final int maxInflight;
    private final int maxQueued;
    private final Duration connectTimeout;
    private final int maxRetained;
    private final MqttAuthenticator authenticator;
    private final Duration maxSessionExpiry;
    private final QueueOverflow queueOverflow;
    private final int topicAliasMaximum;

    private MqttConfig(Builder b) {
        this.host = b.host;
        this.port = b.port;
        this.namespace = b.namespace;
        this.event = b.event;
        this.maxPacketSize = b.maxPacketSize;
        this.receiveMaximum = b.receiveMaximum;
        this.maxInflight = b.maxInflight;
        this.maxQueued = b.maxQueued;
        this.connectTimeout = b.connectTimeout;
        this.maxRetained = b.maxRetained;
        this.authenticator = b.authenticator;
        this.maxSessionExpiry = b.maxSessionExpiry;
        this.queueOverflow = b.queueOverflow;
        this.topicAliasMaximum = b.topicAliasMaximum;
    }

    /**
     * Topic aliases a v5 client may set per connection (its Topic Alias Maximum, sent in CONNACK); 0 refuses
     * them. Default 32: each costs one map entry per connection.
     */
    public int topicAliasMaximum() {
        return topicAliasMaximum;
    }

    /** What happens to a publication for an offline session whose store queue holds {@link #maxQueued()}. */
    public enum QueueOverflow {
        /** The new publication is not queued (as Mosquitto's {@code max_queued_messages}). */
        REFUSE_NEWEST,
        /** The oldest queued publication is dropped to make room (the freshest readings win). */
        DROP_OLDEST
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Address to bind; default {@code 0.0.0.0}. */
    public String host() {
        return host;
    }

    /** TCP port; 0 picks an ephemeral one (tests). No default: the gateway is off unless a port is set. */
    public int port() {
        return port;
    }

    /** The fabric namespace whose rooms are MQTT topics; default {@code /}. */
    public String namespace() {
        return namespace;
    }

    /** The event name under which Socket.IO clients receive MQTT publications; default {@code mqtt}. */
    public String event() {
        return event;
    }

    /** Largest MQTT packet accepted (whole packet, bytes); default 1 MiB (as Engine.IO's maxPayload). */
    public int maxPacketSize() {
        return maxPacketSize;
    }

    /**
     * Incoming QoS 2 publications a client may have awaiting PUBREL at once (the server's v5 Receive
     * Maximum, announced in CONNACK); default 64.
     */
    public int receiveMaximum() {
        return receiveMaximum;
    }

    /**
     * Outgoing QoS 1/2 publications awaiting the client's acknowledgement per connection; the client's
     * own v5 Receive Maximum lowers it. Default 64.
     */
    public int maxInflight() {
        return maxInflight;
    }

    /**
     * Outgoing QoS 1/2 publications queued per client: behind a full in-flight window of a connected client
     * (past it the client is disconnected as a slow subscriber, counted), and in the store for a persistent
     * session whose client is away (past it {@link #queueOverflow()} decides, counted). Default 1000.
     */
    public int maxQueued() {
        return maxQueued;
    }

    /** How long a TCP connection may stay without CONNECT; default 10 s. */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** Most retained messages kept (one per topic); a new topic past it is refused and counted. Default 100,000. */
    public int maxRetained() {
        return maxRetained;
    }

    /** Who may connect; default {@link MqttAuthenticator#NONE} (everyone). */
    public MqttAuthenticator authenticator() {
        return authenticator;
    }

    /**
     * The longest a persistent session is kept after its client left: the cap on a v5 client's Session
     * Expiry Interval, and the lifetime of a 3.1.1 session with CleanSession 0 (which has no interval of its
     * own). Default 7 days; sessions need a {@link MqttStore} to be kept at all.
     */
    public Duration maxSessionExpiry() {
        return maxSessionExpiry;
    }

    /** See {@link QueueOverflow}; default {@link QueueOverflow#REFUSE_NEWEST}. */
    public QueueOverflow queueOverflow() {
        return queueOverflow;
    }

    /** Validating builder; {@link #build()} does not change it. */
    public static final class Builder {
        private String host = "0.0.0.0";
        private int port = 1883;
        private String namespace = "/";
        private String event = "mqtt";
        private int maxPacketSize = 1024 * 1024;
        private int receiveMaximum = 64;
        private int maxInflight = 64;
        private int maxQueued = 1000;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private int maxRetained = 100_000;
        private MqttAuthenticator authenticator = MqttAuthenticator.NONE;
        private Duration maxSessionExpiry = Duration.ofDays(7);
        private QueueOverflow queueOverflow = QueueOverflow.REFUSE_NEWEST;
        private int topicAliasMaximum = 32;

        private Builder() {}

        public Builder topicAliasMaximum(int n) {
            this.topicAliasMaximum = checkRange("topicAliasMaximum", n, 0, 65535);
            return this;
        }

        public Builder maxSessionExpiry(Duration d) {
            // The v5 interval is a four-byte count of seconds.
            if (d == null || d.isNegative() || d.isZero() || d.toSeconds() > 0xFFFF_FFFEL) {
                throw new IllegalArgumentException("maxSessionExpiry must be in [1 s, 4294967294 s], got " + d);
            }
            this.maxSessionExpiry = d;
            return this;
        }

        public Builder queueOverflow(QueueOverflow q) {
            this.queueOverflow = Objects.requireNonNull(q, "queueOverflow");
            return this;
        }

        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be in [0, 65535], got " + port);
            }
            this.port = port;
            return this;
        }

        public Builder namespace(String namespace) {
            if (namespace == null || !namespace.startsWith("/")) {
                throw new IllegalArgumentException("namespace must start with '/', got " + namespace);
            }
            this.namespace = namespace;
            return this;
        }

        public Builder event(String event) {
            if (event == null || event.isEmpty()) {
                throw new IllegalArgumentException("event must not be empty");
            }
            this.event = event;
            return this;
        }

        public Builder maxPacketSize(int bytes) {
            // 268,435,455 is the largest Remaining Length MQTT can encode (4 bytes of 7 bits).
            if (bytes < 64 || bytes > 268_435_455) {
                throw new IllegalArgumentException("maxPacketSize must be in [64, 268435455], got " + bytes);
            }
            this.maxPacketSize = bytes;
            return this;
        }

        public Builder receiveMaximum(int n) {
            this.receiveMaximum = checkRange("receiveMaximum", n, 1, 65535);
            return this;
        }

        public Builder maxInflight(int n) {
            this.maxInflight = checkRange("maxInflight", n, 1, 65535);
            return this;
        }

        public Builder maxQueued(int n) {
            this.maxQueued = checkRange("maxQueued", n, 0, 10_000_000);
            return this;
        }

        public Builder connectTimeout(Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("connectTimeout must be positive, got " + d);
            }
            this.connectTimeout = d;
            return this;
        }

        public Builder maxRetained(int n) {
            this.maxRetained = checkRange("maxRetained", n, 0, 100_000_000);
            return this;
        }

        public Builder authenticator(MqttAuthenticator authenticator) {
            this.authenticator = java.util.Objects.requireNonNull(authenticator, "authenticator");
            return this;
        }

        public MqttConfig build() {
            return new MqttConfig(this);
        }

        private static int checkRange(String name, int n, int min, int max) {
            if (n < min || n > max) {
                throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "], got " + n);
            }
            return n;
        }
    }
}
