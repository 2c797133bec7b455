package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.testkit.NodePeers;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cluster as users deploy it: three servers started by {@code bin/switchboard} (separate JVMs, Pekko
 * Cluster on loopback ports), behind HAProxy (Debian's package, installed by {@code .ci/run}: round-robin
 * for WebSocket, a sticky cookie for long-polling, health checks on {@code /health/ready}), with the
 * official Node {@code socket.io-client} connecting through the proxy. A broadcast from any node reaches
 * every client, broadcast acks and {@code /api/sockets} count every client from any node, and each server
 * logs the membership and shows it in {@code /health/ready} and {@code /metrics}.
 *
 * <p>One cluster start for the whole class: forming it is the slow part.
 */
class ClusterDeploymentIT {

    private static final Duration FORMING = Duration.ofMinutes(3);
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void threeNodesBehindHaproxyServeEveryClientAsOne(@TempDir Path dir) throws Exception {
        Path haproxy = Path.of("/usr/sbin/haproxy");
        assertThat(Files.isExecutable(haproxy)).as("haproxy installed (.ci/run installs Debian's package)").isTrue();
        int[] ports = freePorts(4);
        String seeds = "127.0.0.1:" + ports[0] + ",127.0.0.1:" + ports[1];
        List<LaunchedServer> servers = new ArrayList<>();
        Process proxy = null;
        try {
            // The first launch after a build also writes the launcher's class-data archive: the other
            // two start once it is listening, and so start from the archive.
            List<String> urls = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                servers.add(LaunchedServer.start(dir, Map.of(), "--port", "0", "--data", dir.resolve("node-" + i).toString(),
                        "-D", "switchboard.cluster.enabled=true",
                        "-D", "switchboard.cluster.port=" + ports[i],
                        "-D", "switchboard.cluster.seed-nodes=" + seeds));
                if (i == 0) {
                    urls.add(servers.get(0).awaitListening(LaunchedServer.STARTUP));
                }
            }
            for (LaunchedServer s : servers.subList(1, 3)) {
                urls.add(s.awaitListening(LaunchedServer.STARTUP));
            }
            for (int i = 0; i < 3; i++) {
                String url = urls.get(i);
                LaunchedServer s = servers.get(i);
                await().atMost(FORMING).pollInterval(Duration.ofMillis(200)).until(() -> {
                    assertThat(s.process.isAlive()).as("server alive\n" + s.transcript()).isTrue();
                    HttpResponse<String> r = get(url + "/health/ready");
                    return r != null && r.statusCode() == 200 && r.body().contains("3 members, 0 unreachable");
                });
            }

            int proxyPort = ports[3];
            Path cfg = dir.resolve("haproxy.cfg");
            Files.writeString(cfg, haproxyConfig(proxyPort, urls));
            proxy = new ProcessBuilder(haproxy.toString(), "-db", "-f", cfg.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("haproxy.log").toFile()).start();
            String proxyUrl = "http://127.0.0.1:" + proxyPort;
            Process p = proxy;
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                assertThat(p.isAlive()).as("haproxy running: " + Files.readString(dir.resolve("haproxy.log"))).isTrue();
                HttpResponse<String> r = get(proxyUrl + "/health/ready");
                return r != null && r.statusCode() == 200;
            });

            NodePeers.Result result = NodePeers.run(Path.of("src/test/js/cluster-clients.mjs"),
                    Map.of("PROXY_URL", proxyUrl, "NODE_URLS", String.join(",", urls),
                            "WS_CLIENTS", "6", "POLLING_CLIENTS", "2"),
                    Duration.ofMinutes(3));
            result.assertSucceeded();
            assertThat(result.output()).contains("\"ok\":true");

            for (int i = 0; i < 3; i++) {
                String metrics = get(urls.get(i) + "/metrics").body();
                assertThat(metrics).containsPattern("(?m)^switchboard_cluster_members\\{[^}]*} 3\\.0$")
                        .containsPattern("(?m)^switchboard_cluster_unreachable\\{[^}]*} 0\\.0$")
                        .containsPattern("(?m)^switchboard_cluster_backplane_frames_received_total\\{[^}]*} [1-9]");
                assertThat(servers.get(i).out().stream().filter(l -> l.contains("cluster: member ")).count())
                        .as("membership changes logged\n" + servers.get(i).transcript()).isGreaterThanOrEqualTo(3);
            }
        } finally {
            if (proxy != null) {
                proxy.destroyForcibly();
            }
            for (LaunchedServer s : servers) {
                s.close();
            }
        }
    }

    /**
     * WebSocket connections go round-robin (a WebSocket is one connection: no stickiness needed);
     * long-polling requests of one session must reach the node that holds it, so they get a cookie.
     * A node is used only while its /health/ready answers 200.
     */
    static String haproxyConfig(int port, List<String> nodeUrls) {
        StringBuilder servers = new StringBuilder();
        StringBuilder wsServers = new StringBuilder();
        for (int i = 0; i < nodeUrls.size(); i++) {
            String hostPort = URI.create(nodeUrls.get(i)).getAuthority();
            servers.append("  server n").append(i).append(' ').append(hostPort)
                    .append(" check inter 1s fall 2 rise 2 cookie n").append(i).append('\n');
            wsServers.append("  server n").append(i).append(' ').append(hostPort).append(" check inter 1s fall 2 rise 2\n");
        }
        return """
                global
                  maxconn 2000
                defaults
                  mode http
                  timeout connect 5s
                  timeout client 60s
                  timeout server 60s
                  timeout tunnel 1h
                  option httpchk GET /health/ready
                  http-check expect status 200
                frontend switchboard
                  bind 127.0.0.1:%d
                  acl websocket hdr(Upgrade) -i websocket
                  use_backend websocket if websocket
                  default_backend polling
                backend websocket
                  balance roundrobin
                %sbackend polling
                  balance roundrobin
                  cookie SWITCHBOARD_NODE insert indirect nocache
                %s""".formatted(port, wsServers, servers);
    }

    private HttpResponse<String> get(String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static int[] freePorts(int n) throws IOException {
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                held.add(new ServerSocket(0));
            }
            return held.stream().mapToInt(ServerSocket::getLocalPort).toArray();
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
    }
}
