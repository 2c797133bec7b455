package dev.switchboard.core.routing;

import io.netty.buffer.ByteBufUtil;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

final class TestFormats {

    static final WireFormat TEXT = () -> "text";
    static final WireFormat BINARY = () -> "binary";

    private TestFormats() {}

    /** An encoder that writes "<format>:<payload>" and counts its calls per format. */
    static final class CountingEncoder implements MessageEncoder {
        final String payload;
        final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

        CountingEncoder(String payload) {
            this.payload = payload;
        }

        @Override
        public EncodedMessage encode(WireFormat format, io.netty.buffer.ByteBufAllocator alloc) {
            calls.computeIfAbsent(format.name(), k -> new AtomicInteger()).incrementAndGet();
            return EncodedMessage.of(format, ByteBufUtil.writeUtf8(alloc, format.name() + ":" + payload));
        }

        int calls(WireFormat f) {
            AtomicInteger n = calls.get(f.name());
            return n == null ? 0 : n.get();
        }
    }
}
