package dev.switchboard.transport;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.switchboard.testkit.LeakDetectorExtension;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fuzz target of HTTP request parsing as the listener's pipeline does it (request timeouts, codec,
 * keep-alive, aggregator with its body limit, router): any bytes, in up to three reads, must leave the
 * channel answered, waiting or closed, never with an exception escaping the pipeline or a leaked buffer
 * (the leak detector runs at paranoid). Runs on its seeds ({@code HttpRequestFuzzTestInputs/}) in every build; fuzz
 * it with {@code JAZZER_FUZZ=1} (see docs/security.md).
 */
@ExtendWith(LeakDetectorExtension.class)
class HttpRequestFuzzTest {

    @FuzzTest(maxDuration = "5m")
    void requestBytes(byte[] bytes) {
        HttpRouter router = new HttpRouter(Map.of("/", HttpServerTest.named("root")));
        RequestTimeouts timeouts = new RequestTimeouts(ConnectionLimits.builder()
                .requestHeadTimeout(Duration.ofSeconds(10)).build(), new TransportStats());
        EmbeddedChannel ch = new EmbeddedChannel(timeouts.bytes(), new HttpServerCodec(), timeouts.messages(),
                new HttpServerKeepAliveHandler(), new RoutingAggregator(1024, router), router);
        try {
            int third = bytes.length / 3;
            int[][] reads = {{0, third}, {third, third}, {2 * third, bytes.length - 2 * third}};
            for (int[] r : reads) {
                if (!ch.isOpen()) {
                    break; // the pipeline closed the connection (Connection: close, a refused request): fine
                }
                ch.writeInbound(Unpooled.wrappedBuffer(bytes, r[0], r[1]));
                ch.runPendingTasks();
            }
            if (ch.isOpen()) {
                ch.checkException();
            }
        } finally {
            for (Object o; (o = ch.readOutbound()) != null; ) {
                ReferenceCountUtil.release(o);
            }
            for (Object o; (o = ch.readInbound()) != null; ) {
                ReferenceCountUtil.release(o);
            }
            ch.finishAndReleaseAll();
        }
    }
}
