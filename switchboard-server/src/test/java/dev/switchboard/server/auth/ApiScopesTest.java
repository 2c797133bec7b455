package dev.switchboard.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.server.SwitchboardServer;
import dev.switchboard.server.config.ConfigLoader;
import dev.switchboard.server.config.ConfigProblem;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP API's one token check, over every route (the durable plane's included): static tokens with
 * scopes, JWTs with a scope claim, 401 versus 403; and the refusal to start open on a public interface.
 */
class ApiScopesTest {

    private static final String PUBLISHER = "publisher-token-0123456789";

    @TempDir
    Path dir;

    private Path conf(String body) throws Exception {
        Path conf = dir.resolve("s.conf");
        Files.writeString(conf, "switchboard {\n data-dir = \"" + dir.resolve("data").toString().replace("\\", "/")
                + "\"\n http.port = 0\n demo.enabled = false\n" + body + "\n}\n");
        return conf;
    }

    @Test
    void everyRouteChecksTheTokenAndItsScope() throws Exception {
        Path conf = conf("""
                 api.tokens = [ { token = "%s", scopes = ["publish"] } ]
                 auth.jwt.hmac-secret = "%s"
                 durable.rooms = [ { room = "orders-*" } ]
                """.formatted(PUBLISHER, Tokens.SECRET));
        SwitchboardServer server = SwitchboardServer.start(new ConfigLoader().load(Optional.of(conf), Map.of(), Map.of()));
        try {
            String base = "http://127.0.0.1:" + server.address().getPort();
            String reader = Tokens.hs256(Tokens.SECRET, "svc-reader", Duration.ofMinutes(5), Map.of("scope", "history inbox"));
            String expired = Tokens.hs256(Tokens.SECRET, "svc-reader", Duration.ofMinutes(-5), Map.of("scope", "history inbox"));
            String publish = "{\"event\":\"news\",\"data\":1}";
            String inbox = "{\"user\":\"ann\",\"event\":\"note\",\"data\":1}";

            assertThat(call(base, "POST", "/api/publish", null, publish).statusCode()).isEqualTo(401);
            assertThat(call(base, "POST", "/api/inbox", null, inbox).statusCode()).isEqualTo(401);
            assertThat(call(base, "GET", "/api/history?room=orders-1", null, null).statusCode()).isEqualTo(401);
            assertThat(call(base, "GET", "/api/namespaces", "wrong-token-0123456789", null).statusCode()).isEqualTo(401);

            assertThat(call(base, "POST", "/api/publish", PUBLISHER, publish).statusCode()).isEqualTo(200);
            HttpResponse<String> noScope = call(base, "GET", "/api/namespaces", PUBLISHER, null);
            assertThat(noScope.statusCode()).isEqualTo(403);
            assertThat(noScope.body()).contains("forbidden").contains("'admin' scope");
            assertThat(call(base, "GET", "/api/history?room=orders-1", PUBLISHER, null).statusCode()).isEqualTo(403);
            assertThat(call(base, "POST", "/api/inbox", PUBLISHER, inbox).statusCode()).isEqualTo(403);

            assertThat(call(base, "GET", "/api/history?room=orders-1", reader, null).statusCode()).isEqualTo(200);
            assertThat(call(base, "POST", "/api/inbox", reader, inbox).statusCode()).isEqualTo(201);
            assertThat(call(base, "GET", "/api/inbox?user=ann", reader, null).statusCode()).isEqualTo(200);
            assertThat(call(base, "POST", "/api/publish", reader, publish).statusCode()).isEqualTo(403);
            HttpResponse<String> old = call(base, "GET", "/api/history?room=orders-1", expired, null);
            assertThat(old.statusCode()).isEqualTo(401);
            assertThat(old.body()).contains("token expired");

            // Reserved events are one list for every route: the inbox refuses what publish refuses.
            assertThat(call(base, "POST", "/api/inbox", reader, "{\"user\":\"ann\",\"event\":\"switchboard:refresh\"}").body())
                    .contains("reserved");
            assertThat(call(base, "POST", "/api/publish", PUBLISHER, "{\"event\":\"connect\"}").body()).contains("reserved");
            // The API's description stays public.
            assertThat(call(base, "GET", "/api/openapi.json", null, null).statusCode()).isEqualTo(200);
        } finally {
            server.stop();
        }
    }

    @Test
    void aPublicInterfaceWithoutAnyApiTokenIsRefusedUnlessInsecureIsSet() throws Exception {
        ConfigLoader loader = new ConfigLoader();
        assertThatThrownBy(() -> loader.load(Optional.of(conf("http.host = \"0.0.0.0\"")), Map.of(), Map.of()))
                .isInstanceOf(ConfigProblem.class)
                .hasMessageContaining("switchboard.http.host")
                .hasMessageContaining("switchboard.api.insecure");
        assertThat(loader.load(Optional.of(conf("http.host = \"0.0.0.0\"\n api.insecure = true")), Map.of(), Map.of())
                .auth().apiInsecure()).isTrue();
        assertThat(loader.load(Optional.of(conf("http.host = \"0.0.0.0\"")), Map.of("SWITCHBOARD_API_TOKEN", PUBLISHER),
                Map.of()).auth().apiTokenRequired()).isTrue();
        assertThat(loader.load(Optional.of(conf("http.host = \"0.0.0.0\"\n api.enabled = false")), Map.of(), Map.of())
                .api().enabled()).isFalse();
        assertThat(loader.load(Optional.of(conf("http.host = \"localhost\"")), Map.of(), Map.of()).auth().apiTokenRequired())
                .isFalse();
        assertThatThrownBy(() -> loader.load(Optional.of(conf("api.tokens = [ { token = \"" + PUBLISHER
                + "\", scopes = [\"publsh\"] } ]")), Map.of(), Map.of()))
                .isInstanceOf(ConfigProblem.class).hasMessageContaining("unknown scope \"publsh\"");
        assertThatThrownBy(() -> loader.load(Optional.of(conf("auth.jwt.hmac-secret = \"short\"")), Map.of(), Map.of()))
                .isInstanceOf(ConfigProblem.class).hasMessageContaining("at least 32 bytes");
    }

    private static HttpResponse<String> call(String base, String method, String path, String token, String body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).header("content-type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("authorization", "Bearer " + token);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
