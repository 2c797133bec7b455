package dev.switchboard.spring;

import dev.switchboard.engineio.EngineIoConfig;
import dev.switchboard.engineio.EngineIoServer;
import dev.switchboard.socketio.MicrometerSocketIoMetrics;
import dev.switchboard.socketio.RecoveryConfig;
import dev.switchboard.socketio.SocketIoConfig;
import dev.switchboard.socketio.SocketIoServer;
import dev.switchboard.transport.CorsConfig;
import dev.switchboard.transport.TransportConfig;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * An embedded Switchboard Socket.IO server from {@code switchboard.*}: the {@link SocketIoServer} bean
 * (with every {@link SocketIoConfigurer} applied), started and stopped with the context, its meters on
 * the application's {@link MeterRegistry} when there is one, and the {@code switchboard} health
 * contributor when Actuator is present. {@code switchboard.enabled=false} turns it all off; an
 * application's own {@code SocketIoServer} bean replaces the configured one.
 */
@AutoConfiguration(afterName = {
        "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration"})
@ConditionalOnProperty(prefix = "switchboard", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(SwitchboardProperties.class)
public class SwitchboardAutoConfiguration {

    @Bean(destroyMethod = "")
    @ConditionalOnMissingBean
    public SocketIoServer switchboardSocketIoServer(SwitchboardProperties properties,
                                                    ObjectProvider<SocketIoConfigurer> configurers,
                                                    ObjectProvider<MeterRegistry> registries) {
        SwitchboardProperties.Http http = properties.getHttp();
        SwitchboardProperties.SocketIo s = properties.getSocketio();
        TransportConfig.Builder transport = TransportConfig.builder().host(http.getHost()).port(http.getPort())
                .shutdownTimeout(properties.getShutdown().getTimeout());
        if (!http.getCorsOrigins().isEmpty()) {
            transport.cors(CorsConfig.origins(http.getCorsOrigins().toArray(String[]::new)).build());
        }
        EngineIoConfig engine = EngineIoConfig.builder()
                .path(s.getPath())
                .pingInterval(s.getPingInterval())
                .pingTimeout(s.getPingTimeout())
                .maxPayload(s.getMaxPayload())
                .build();
        SocketIoConfig.Builder config = SocketIoConfig.builder()
                .transport(EngineIoServer.fitTransport(transport, engine).build())
                .engine(engine)
                .connectTimeout(s.getConnectTimeout());
        if (!s.getRecovery().isZero()) {
            config.recovery(RecoveryConfig.builder().maxDisconnectionDuration(s.getRecovery()).build());
        }
        MeterRegistry registry = registries.getIfUnique();
        MicrometerSocketIoMetrics metrics = registry == null ? null : new MicrometerSocketIoMetrics(registry);
        if (metrics != null) {
            config.metrics(metrics);
        }
        SocketIoServer io = SocketIoServer.create(config.build());
        io.sockets();
        if (metrics != null) {
            metrics.bind(io);
        }
        configurers.orderedStream().forEach(c -> c.configure(io));
        return io;
    }

    @Bean
    @ConditionalOnBean(SocketIoServer.class)
    SwitchboardLifecycle switchboardLifecycle(SocketIoServer io, SwitchboardProperties properties) {
        return new SwitchboardLifecycle(io, properties.getShutdown().getTimeout());
    }

    /** Only with Actuator on the class path. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    static class Health {

        @Bean(name = "switchboardHealthIndicator")
        @ConditionalOnMissingBean(name = "switchboardHealthIndicator")
        HealthIndicator switchboardHealthIndicator(SocketIoServer io, SwitchboardLifecycle lifecycle) {
            return new SwitchboardHealthIndicator(io, lifecycle);
        }
    }
}
