package dev.switchboard.bench.jmh;

import dev.switchboard.core.message.Message;
import dev.switchboard.core.message.MessageCodec;
import dev.switchboard.core.message.MessageFormatException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link MessageCodec}: encode, decode and both of typical messages, as a backplane or broker bridge
 * does for each message that crosses a node. {@code kind}:
 * <ul>
 *   <li>{@code chat}: a room broadcast of a 100-byte JSON object with an origin (the common case);</li>
 *   <li>{@code binary}: the same plus one 1 KiB attachment, two except rooms and a header;</li>
 *   <li>{@code tiny}: a whole-namespace event without arguments.</li>
 * </ul>
 * Run with {@code -prof gc} for bytes allocated per operation.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class MessageCodecBenchmark {

    @Param({"chat", "binary", "tiny"})
    public String kind;

    private final MessageCodec codec = MessageCodec.standard();
    private Message message;
    private byte[] encoded;

    @Setup
    public void setUp() {
        String body = "[{\"user\":\"alice\",\"text\":\"" + "x".repeat(60) + "\",\"at\":1764620000000}]";
        message = switch (kind) {
            case "chat" -> Message.builder("/chat", "message").rooms(Set.of("room-42")).arguments(body)
                    .origin("node-1", "socketio").build();
            case "binary" -> Message.builder("/chat", "file").rooms(Set.of("room-42"))
                    .exceptRooms(Set.of("muted", "sid-abcdefghijklmnopqrs"))
                    .arguments("[{\"name\":\"a.png\"},{\"_placeholder\":true,\"num\":0}]")
                    .attachments(List.of(new byte[1024])).origin("node-1", "socketio")
                    .headers(Map.of("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")).build();
            default -> Message.builder("/", "tick").build();
        };
        encoded = codec.encode(message);
    }

    @Benchmark
    public byte[] encode() {
        return codec.encode(message);
    }

    @Benchmark
    public Message decode() throws MessageFormatException {
        return codec.decode(encoded);
    }

    @Benchmark
    public Message roundTrip() throws MessageFormatException {
        return codec.decode(codec.encode(message));
    }
}
