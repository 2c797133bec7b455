package dev.switchboard.server.durable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.server.config.ConfigLoader;
import dev.switchboard.server.config.ConfigProblem;
import dev.switchboard.core.inbox.InboxConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code switchboard.durable} and {@code switchboard.inbox}: defaults, rules, and strict refusal of mistakes. */
class DurableSettingsTest {

    @TempDir
    Path dir;

    private DurableSettings load(String conf) throws Exception {
        Path f = dir.resolve("s.conf");
        Files.writeString(f, "switchboard {\n" + conf + "\n}\n");
        return new ConfigLoader().load(Optional.of(f), Map.of(), Map.of()).durable();
    }

    @Test
    void byDefaultNoRoomIsDurableAndInboxesUseTheirDocumentedDefaults() throws Exception {
        DurableSettings d = new ConfigLoader().load(Optional.empty(), Map.of(), Map.of()).durable();
        assertThat(d.hasDurableRooms()).isFalse();
        assertThat(d.policy()).isEqualTo(DurableSettings.Policy.OS);
        assertThat(d.inbox().userIdFrom()).isEqualTo("auth.userId");
        assertThat(d.inbox().fanout()).isEqualTo(InboxConfig.Fanout.ALL);
        assertThat(d.inbox().ackTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(d.inbox().maxAttempts()).isEqualTo(5);
    }

    @Test
    void rulesMatchByNamespaceAndRoomGlobWithTheirRetention() throws Exception {
        DurableSettings d = load("""
                durable {
                  rooms = [ { namespace = "/", room = "orders-*", retention { max-messages = 10, max-age = 1h, max-bytes = 1m } }
                            { namespace = "/chat", room = "*" } ]
                  policy = fsync
                }
                inbox { fanout = one, user-id-from = "query.user" }
                """);
        assertThat(d.rooms().isDurable("/", "orders-1")).isTrue();
        assertThat(d.rooms().isDurable("/", "lobby")).isFalse();
        assertThat(d.rooms().isDurable("/chat", "lobby")).isTrue();
        var retention = d.rooms().match("/", "orders-9").orElseThrow();
        assertThat(retention.maxMessages()).isEqualTo(10);
        assertThat(retention.maxAge()).isEqualTo(Duration.ofHours(1));
        assertThat(retention.maxBytes()).isEqualTo(1024 * 1024);
        assertThat(d.policy()).isEqualTo(DurableSettings.Policy.FSYNC);
        assertThat(d.inbox().fanout()).isEqualTo(InboxConfig.Fanout.ONE);
    }

    @Test
    void mistakesStopTheServerWithOneLineNamingTheKey() {
        assertThatThrownBy(() -> load("durable.rooms = [ { room = \"a\", rentention { max-messages = 1 } } ]"))
                .isInstanceOf(ConfigProblem.class).hasMessageContaining("switchboard.durable.rooms[0].rentention: unknown key");
        assertThatThrownBy(() -> load("durable.rooms = [ { room = \"a\", retention { max-mesages = 1 } } ]"))
                .isInstanceOf(ConfigProblem.class).hasMessageContaining("retention.max-mesages: unknown key");
        assertThatThrownBy(() -> load("durable.rooms = [ { namespace = \"/\" } ]"))
                .isInstanceOf(ConfigProblem.class).hasMessageContaining("switchboard.durable.rooms[0].room: required");
        assertThatThrownBy(() -> load("durable.rooms = [ \"orders-*\" ]"))
                .isInstanceOf(ConfigProblem.class).hasMessageContaining("expected an object");
        assertThatThrownBy(() -> load("durable.rooms = [ { room = \"a\", retention { max-messages = -1 } } ]"))
                .isInstanceOf(ConfigProblem.class).hasMessageContaining("maxMessages must be >= 0");
        assertThatThrownBy(() -> load("durable.policy = always"))
                .isInstanceOf(ConfigProblem.class).hasMessageContaining("switchboard.durable.policy: expected os or fsync");
        assertThatThrownBy(() -> load("inbox.fanout = some"))
                .isInstanceOf(ConfigProblem.class).hasMessageContaining("switchboard.inbox.fanout");
        assertThatThrownBy(() -> load("inbox.user-id-from = userId"))
                .isInstanceOf(ConfigProblem.class).hasMessageContaining("switchboard.inbox.user-id-from");
        assertThatThrownBy(() -> load("inbox.max-attempts = 0"))
                .isInstanceOf(ConfigProblem.class).hasMessageContaining("switchboard.inbox.max-attempts");
        assertThatThrownBy(() -> load("inbox.ack-timout = 1s"))
                .isInstanceOf(ConfigProblem.class).hasMessageContaining("unknown key");
    }
}
