package dev.switchboard.socketio.echo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.socketio.SocketIoConfig;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SocketIoEchoTest {

    @Test
    void commandLineOptionsBecomeTheConfig() {
        SocketIoConfig c = SocketIoEcho.parse(List.of("--port", "3000", "--ping-interval", "300", "--ping-timeout", "200",
                "--max-payload", "1000000", "--connect-timeout", "1000", "--cors", "*", "--recovery", "60000"));
        assertThat(c.transport().port()).isEqualTo(3000);
        assertThat(c.engine().path()).isEqualTo("/socket.io/");
        assertThat(c.engine().pingInterval()).isEqualTo(Duration.ofMillis(300));
        assertThat(c.engine().pingTimeout()).isEqualTo(Duration.ofMillis(200));
        assertThat(c.engine().maxPayload()).isEqualTo(1_000_000);
        assertThat(c.connectTimeout()).isEqualTo(Duration.ofMillis(1000));
        assertThat(c.transport().cors()).hasValueSatisfying(cors -> assertThat(cors.isAnyOrigin()).isTrue());
        assertThat(c.recovery()).hasValueSatisfying(r -> assertThat(r.maxDisconnectionDuration()).isEqualTo(Duration.ofMinutes(1)));
    }

    @Test
    void defaultsAreTheOfficialOnes() {
        SocketIoConfig c = SocketIoEcho.parse(List.of());
        assertThat(c.engine().pingInterval()).isEqualTo(Duration.ofMillis(25_000));
        assertThat(c.engine().pingTimeout()).isEqualTo(Duration.ofMillis(20_000));
        assertThat(c.engine().maxPayload()).isEqualTo(1_000_000);
        assertThat(c.connectTimeout()).isEqualTo(Duration.ofMillis(45_000));
        assertThat(c.recovery()).isEmpty();
        assertThat(c.transport().cors()).isEmpty();
    }

    @Test
    void unknownOrIncompleteOptionsAreRefused() {
        assertThatThrownBy(() -> SocketIoEcho.parse(List.of("--nope", "1"))).hasMessageContaining("unknown option --nope");
        assertThatThrownBy(() -> SocketIoEcho.parse(List.of("--port"))).hasMessageContaining("missing value for --port");
    }
}
