package dev.switchboard.core.routing;

import dev.switchboard.core.message.Message;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

final class TestFormats {

    static final WireFormat TEXT = () -> "text";
    static final WireFormat BINARY = () -> "binary";

    private TestFormats() {}

    /** A message whose event name is {@code payload} (what {@link CountingRenderer} writes). */
    static Message message(String space, Set<String> to, Set<String> except, Set<String> exceptIds, String payload) {
        return Message.builder(space, payload).rooms(to).exceptRooms(except).exceptIds(exceptIds).build();
    }

    /** A renderer that writes "<format>:<event>" and counts its calls per event and format. */
    static final class CountingRenderer implements MessageRenderer {
        final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

        @Override
        public EncodedMessage render(Message message, WireFormat format, ByteBufAllocator alloc) {
            calls.computeIfAbsent(message.event() + "/" + format.name(), k -> new AtomicInteger()).incrementAndGet();
            return EncodedMessage.of(format, ByteBufUtil.writeUtf8(alloc, format.name() + ":" + message.event()));
        }

        int calls(String event, WireFormat f) {
            AtomicInteger n = calls.get(event + "/" + f.name());
            return n == null ? 0 : n.get();
        }

        /** Registers this renderer for TEXT and BINARY. */
        CountingRenderer on(Router router) {
            router.register(TEXT, this);
            router.register(BINARY, this);
            return this;
        }
    }
}
