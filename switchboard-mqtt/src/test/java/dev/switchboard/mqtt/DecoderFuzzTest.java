package dev.switchboard.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.message.Message;
import dev.switchboard.core.routing.Router;
import dev.switchboard.core.routing.Routers;
import dev.switchboard.testkit.LeakDetectorExtension;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.timeout.IdleStateHandler;
import java.io.ByteArrayOutputStream;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Seeded random and mutated input through the real pipeline (decoder, encoder, idle, connection) on an
 * {@link EmbeddedChannel}: nothing may escape as an exception, leak a buffer (the leak detector runs at
 * paranoid) or leave a subscriber in the fabric once the connection is gone.
 */
@ExtendWith(LeakDetectorExtension.class)
class DecoderFuzzTest {

    private static final int RUNS = 3000;

    @Test
    void randomAndMutatedInputIsContainedPerConnection() {
        Router router = Routers.local();
        router.register(MqttRenderer.FORMAT, MqttRenderer.INSTANCE);
        Sessions sessions = new Sessions(null);
        Gateway gw = new Gateway(MqttConfig.builder().maxPacketSize(4096).build(), router, sessions,
                new RetainedStore(1000, sessions), MqttMetrics.NONE);
        Random rnd = new Random(20261201L);
        byte[] valid = validSession();
        int closed = 0;
        for (int run = 0; run < RUNS; run++) {
            EmbeddedChannel ch = new EmbeddedChannel();
            ch.pipeline().addLast("mqtt-decoder", new MqttDecoder(4096, 256));
            ch.pipeline().addLast("mqtt-encoder", MqttEncoder.INSTANCE);
            ch.pipeline().addLast(MqttConnection.IDLE, new IdleStateHandler(10_000, 0, 0, TimeUnit.MILLISECONDS));
            ch.pipeline().addLast("mqtt-connection", new MqttConnection(gw));
            byte[] input = switch (run % 3) {
                case 0 -> random(rnd, rnd.nextInt(300));
                case 1 -> concat(RawClient.connect("fuzz-" + run, 4 + rnd.nextInt(2), 60), random(rnd, rnd.nextInt(300)));
                default -> mutate(rnd, valid);
            };
            // In a few pieces, as TCP may deliver it.
            int at = 0;
            while (at < input.length && ch.isOpen()) { // a closed connection reads no more
                int n = Math.min(input.length - at, 1 + rnd.nextInt(64));
                ch.writeInbound(Unpooled.wrappedBuffer(input, at, n));
                ch.runPendingTasks();
                at += n;
            }
            ch.checkException();
            if (!ch.isOpen()) {
                closed++;
            }
            ch.finishAndReleaseAll();
        }
        assertThat(closed).as("garbage closes most connections").isGreaterThan(RUNS / 3);
        assertThat(router.resolve(Message.builder("/", "x").build())).as("every connection left the fabric").isEmpty();
        assertThat(gw.sessions().size()).isZero();
    }

    /** CONNECT, SUBSCRIBE to a wildcard, PUBLISH at QoS 0, 1, 2 (with a retained one), PUBREL, PINGREQ. */
    private static byte[] validSession() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(RawClient.connect("fuzz-valid", 4, 60));
        out.writeBytes(RawClient.subscribe("f/#", 2));
        out.writeBytes(RawClient.packet(0x30, new byte[] {0, 3, 'f', '/', 'a', 'h', 'i'}));
        out.writeBytes(RawClient.packet(0x33, new byte[] {0, 3, 'f', '/', 'b', 0, 7, '{', '}'}));
        out.writeBytes(RawClient.packet(0x34, new byte[] {0, 3, 'f', '/', 'c', 0, 8, '1'}));
        out.writeBytes(new byte[] {0x62, 2, 0, 8});
        out.writeBytes(new byte[] {(byte) 0xC0, 0});
        return out.toByteArray();
    }

    private static byte[] random(Random rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    private static byte[] mutate(Random rnd, byte[] valid) {
        byte[] b = valid.clone();
        int flips = 1 + rnd.nextInt(4);
        for (int i = 0; i < flips; i++) {
            b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
        }
        return b;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
