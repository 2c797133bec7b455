package dev.switchboard.spring;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code switchboard.*} in {@code application.yml}: the embedded Socket.IO server. Key names follow the
 * standalone server's configuration ({@code switchboard-reference.conf}) where they mean the same.
 */
@ConfigurationProperties(prefix = "switchboard")
public class SwitchboardProperties {

    /** Whether to start the embedded Socket.IO server with the application. */
    private boolean enabled = true;

    private final Http http = new Http();
    private final SocketIo socketio = new SocketIo();
    private final Shutdown shutdown = new Shutdown();

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public Http getHttp() {
        return http;
    }

    public SocketIo getSocketio() {
        return socketio;
    }

    public Shutdown getShutdown() {
        return shutdown;
    }

    /** The Socket.IO listener (its own port, apart from the application's web server if any). */
    public static class Http {
        /** Interface to listen on; "0.0.0.0" for every interface. */
        private String host = "127.0.0.1";
        /** Port of the Socket.IO listener; 0 picks a free port. */
        private int port = 3000;
        /** Origins allowed by CORS for Socket.IO polling, e.g. https://app.example.com; "*" for any; empty for none. */
        private List<String> corsOrigins = new ArrayList<>();

        public String getHost() {
            return host;
        }

        public void setHost(String host) {
            this.host = host;
        }

        public int getPort() {
            return port;
        }

        public void setPort(int port) {
            this.port = port;
        }

        public List<String> getCorsOrigins() {
            return corsOrigins;
        }

        public void setCorsOrigins(List<String> corsOrigins) {
            this.corsOrigins = corsOrigins;
        }
    }

    /** Socket.IO and Engine.IO options, with socket.io's meaning and defaults. */
    public static class SocketIo {
        /** Path of the Socket.IO endpoint, as socket.io's `path` option. */
        private String path = "/socket.io/";
        /** How often the server pings each connection. */
        private Duration pingInterval = Duration.ofSeconds(25);
        /** How long a pong may take before the connection is closed. */
        private Duration pingTimeout = Duration.ofSeconds(20);
        /** Largest message accepted from a client, in bytes (socket.io's maxHttpBufferSize). */
        private int maxPayload = 1_000_000;
        /** A client that joins no namespace within this time is disconnected. */
        private Duration connectTimeout = Duration.ofSeconds(45);
        /** Connection state recovery window (0 = off, as in socket.io). */
        private Duration recovery = Duration.ZERO;

        public String getPath() {
            return path;
        }

        public void setPath(String path) {
            this.path = path;
        }

        public Duration getPingInterval() {
            return pingInterval;
        }

        public void setPingInterval(Duration pingInterval) {
            this.pingInterval = pingInterval;
        }

        public Duration getPingTimeout() {
            return pingTimeout;
        }

        public void setPingTimeout(Duration pingTimeout) {
            this.pingTimeout = pingTimeout;
        }

        public int getMaxPayload() {
            return maxPayload;
        }

        public void setMaxPayload(int maxPayload) {
            this.maxPayload = maxPayload;
        }

        public Duration getConnectTimeout() {
            return connectTimeout;
        }

        public void setConnectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
        }

        public Duration getRecovery() {
            return recovery;
        }

        public void setRecovery(Duration recovery) {
            this.recovery = recovery;
        }
    }

    /** Stopping with the application. */
    public static class Shutdown {
        /** Longest wait for clients to be told and connections to close when the application stops. */
        private Duration timeout = Duration.ofSeconds(5);

        public Duration getTimeout() {
            return timeout;
        }

        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }
    }
}
