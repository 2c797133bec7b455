package dev.switchboard.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.socketio.SocketIoServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The auto-configuration in a minimal context: properties bound, configurers applied, health, the off switch. */
class SwitchboardAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SwitchboardAutoConfiguration.class))
            .withPropertyValues("switchboard.http.port=0");

    @Test
    void propertiesConfigurersHealthAndMeters() {
        runner.withPropertyValues("switchboard.socketio.path=/rt/", "switchboard.socketio.ping-interval=7s",
                        "switchboard.shutdown.timeout=2s")
                .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .withBean("chat", SocketIoConfigurer.class, () -> io -> io.of("/chat"))
                .run(context -> {
                    SocketIoServer io = context.getBean(SocketIoServer.class);
                    assertThat(io.path()).isEqualTo("/rt/");
                    assertThat(io.config().engine().pingInterval()).isEqualTo(Duration.ofSeconds(7));
                    assertThat(io.namespace("/chat")).as("configurer applied").isNotNull();
                    assertThat(context.getBean(SwitchboardProperties.class).getShutdown().getTimeout())
                            .isEqualTo(Duration.ofSeconds(2));
                    Health health = context.getBean("switchboardHealthIndicator", HealthIndicator.class).health();
                    assertThat(health.getStatus()).isEqualTo(Status.UP);
                    assertThat((Integer) health.getDetails().get("port")).isPositive();
                    assertThat(context.getBean(MeterRegistry.class).get("switchboard.engineio.sessions").gauge().value())
                            .isZero();
                });
    }

    @Test
    void offWhenDisabled() {
        runner.withPropertyValues("switchboard.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(SocketIoServer.class)
                        .doesNotHaveBean(SwitchboardLifecycle.class));
    }
}
