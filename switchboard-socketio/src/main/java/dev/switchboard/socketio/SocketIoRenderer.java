package dev.switchboard.socketio;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.switchboard.core.message.Message;
import dev.switchboard.core.routing.EncodedMessage;
import dev.switchboard.core.routing.MessageRenderer;
import dev.switchboard.core.routing.WireFormat;
import dev.switchboard.engineio.EngineWireFormats;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Renders a fabric {@link Message} as a Socket.IO v5 EVENT (or BINARY_EVENT) in the Engine.IO wire
 * formats (socket.io-protocol §"Packet encoding"): {@code 2/nsp,<ackId>["event",...args]}, or
 * {@code 5<n>-/nsp,<ackId>[...]} followed by one binary message per attachment. The namespace is the
 * message's space ({@code /} is omitted, as socket.io-parser does); the arguments are spliced in as the
 * message carries them (JSON array bytes with {@code {"_placeholder":true,"num":i}} for binaries), never
 * re-parsed, so the text is what socket.io-parser would write for the same values.
 *
 * <p>Stateless; one instance serves every server sharing a router.
 */
final class SocketIoRenderer implements MessageRenderer {

    static final SocketIoRenderer INSTANCE = new SocketIoRenderer();

    private static final ByteBuffer CLOSE = ByteBuffer.wrap(new byte[] {']'}).asReadOnlyBuffer();

    private SocketIoRenderer() {}

    /** Registers this renderer for the Engine.IO formats Socket.IO sockets use. */
    static void registerOn(dev.switchboard.core.routing.Router router) {
        router.register(EngineWireFormats.WEBSOCKET, INSTANCE);
        router.register(EngineWireFormats.POLLING, INSTANCE);
    }

    @Override
    public EncodedMessage render(Message message, WireFormat format, ByteBufAllocator alloc) {
        if (format != EngineWireFormats.WEBSOCKET && format != EngineWireFormats.POLLING) {
            return null;
        }
        ByteBuffer args = message.arguments();
        int first = firstElement(args);
        if (first < 0) {
            return null; // not a JSON array: nothing a Socket.IO client could read
        }
        int n = message.attachmentCount();
        StringBuilder head = new StringBuilder(16 + message.space().length() + message.event().length());
        if (n > 0) {
            head.append('5').append(n).append('-');
        } else {
            head.append('2');
        }
        if (!"/".equals(message.space())) {
            head.append(message.space()).append(',');
        }
        if (message.ackId() >= 0) {
            head.append(message.ackId());
        }
        head.append("[\"");
        JsonStringEncoder.getInstance().quoteAsString(message.event(), head);
        head.append('"');
        boolean hasArgs = first < args.limit() - 1;
        if (hasArgs) {
            head.append(',');
        }
        ByteBuffer prefix = ByteBuffer.wrap(head.toString().getBytes(StandardCharsets.UTF_8));
        ByteBuffer body = args.position(first).limit(args.limit() - 1).slice();
        ByteBuf[] frames = new ByteBuf[1 + n];
        try {
            frames[0] = EngineWireFormats.textMessageUtf8(format, alloc, prefix, body, CLOSE);
            for (int i = 0; i < n; i++) {
                frames[i + 1] = EngineWireFormats.binaryMessage(format, alloc, Unpooled.wrappedBuffer(message.attachment(i)));
            }
        } catch (RuntimeException e) {
            for (ByteBuf f : frames) {
                if (f != null) {
                    f.release();
                }
            }
            throw e;
        }
        return EncodedMessage.of(format, message.compress(), frames);
    }

    /**
     * The index just after the array's opening bracket and any whitespace: where its first element
     * starts, or where {@code ]} is when it has none; -1 if {@code args} is not bracketed.
     */
    private static int firstElement(ByteBuffer args) {
        int end = args.limit();
        if (end < 2 || args.get(0) != '[' || args.get(end - 1) != ']') {
            return -1;
        }
        int i = 1;
        while (i < end - 1 && isJsonWhitespace(args.get(i))) {
            i++;
        }
        return i;
    }

    private static boolean isJsonWhitespace(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r';
    }
}
