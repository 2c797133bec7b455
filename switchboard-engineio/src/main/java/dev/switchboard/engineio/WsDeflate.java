package dev.switchboard.engineio;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionData;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionDecoder;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionUtil;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtension;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateServerExtensionHandshaker;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.FastThreadLocal;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.zip.Deflater;

/**
 * permessage-deflate (RFC 7692) on a session's WebSocket, when {@link EngineIoConfig#perMessageDeflate()}
 * is on and the client offers it.
 *
 * <p>Negotiation: Netty's {@link PerMessageDeflateServerExtensionHandshaker} accepts the offer and gives
 * the inbound decoder (client frames may use context takeover; the inflated size is bounded by
 * maxPayload); the answer always adds {@code server_no_context_takeover} (RFC 7692 section 7.1.1.1
 * lets a server add it unasked). Without a server context, a frame's compressed form depends on the
 * frame alone, so a broadcast is deflated once ({@link dev.switchboard.core.routing.EncodedMessage#compressedFrame})
 * and the same bytes go to every connection that negotiated it: encode once, compress once.
 *
 * <p>Outbound frames are complete raw frames ({@link WsFrames}), written below Netty's encoder, so
 * they are deflated here: DEFLATE with a sync flush, the trailing {@code 00 00 ff ff} removed, RSV1 set
 * (RFC 7692 section 7.2.1). One {@link Deflater} per thread (an event loop), reset per message.
 *
 * <p>The negotiated instance sits in the WebSocket channel's {@link #KEY} attribute.
 */
final class WsDeflate {

    static final AttributeKey<WsDeflate> KEY = AttributeKey.valueOf(WsDeflate.class, "deflate");

    static final String EXTENSION = "permessage-deflate";
    private static final String SERVER_NO_CONTEXT = "server_no_context_takeover";
    private static final int RSV1 = 0x40;
    private static final int FIN = 0x80;
    private static final int MAX_HEADER = 10;
    private static final byte[] NO_INPUT = new byte[0];

    /** Per thread; zlib's default level (6), raw DEFLATE (no zlib header), as RFC 7692 wants. */
    private static final FastThreadLocal<Deflater> DEFLATERS = new FastThreadLocal<>() {
        @Override
        protected Deflater initialValue() {
            return new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        }

        @Override
        protected void onRemoval(Deflater d) {
            d.end();
        }
    };

    private final int threshold;

    private WsDeflate(int threshold) {
        this.threshold = threshold;
    }

    /** The outcome of a successful negotiation: the response header value and the inbound decoder. */
    record Negotiated(WsDeflate deflate, String responseHeader, WebSocketExtensionDecoder decoder) {}

    /**
     * Accepts the first permessage-deflate offer of the request Netty can serve, or returns null (no
     * offer, or none acceptable: the WebSocket then goes uncompressed).
     */
    static Negotiated negotiate(HttpHeaders request, int threshold, int maxPayload) {
        String offers = request.get(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS);
        if (offers == null) {
            return null;
        }
        // level 6, no server window bits, client window 15 (kept as offered), server context allowed
        // to be dropped, client context kept as the client likes; inflated messages bounded by maxPayload
        PerMessageDeflateServerExtensionHandshaker handshaker =
                new PerMessageDeflateServerExtensionHandshaker(6, false, 15, true, false, maxPayload);
        for (WebSocketExtensionData offer : WebSocketExtensionUtil.extractExtensions(offers)) {
            if (!EXTENSION.equals(offer.name())) {
                continue;
            }
            WebSocketServerExtension ext = handshaker.handshakeExtension(offer);
            if (ext == null) {
                continue;
            }
            StringBuilder header = new StringBuilder(EXTENSION);
            Map<String, String> params = ext.newReponseData() /* sic: Netty spells it so */.parameters();
            for (Map.Entry<String, String> p : params.entrySet()) {
                header.append("; ").append(p.getKey());
                if (p.getValue() != null) {
                    header.append('=').append(p.getValue());
                }
            }
            if (!params.containsKey(SERVER_NO_CONTEXT)) {
                header.append("; ").append(SERVER_NO_CONTEXT);
            }
            return new Negotiated(new WsDeflate(threshold), header.toString(), ext.newExtensionDecoder());
        }
        return null;
    }

    /** Whether a complete frame we built carries enough payload to be worth deflating. */
    boolean worthCompressing(ByteBuf frame) {
        return frame.readableBytes() - WsFrames.payloadOffset(frame) >= threshold;
    }

    /**
     * The compressed form of a complete, unfragmented frame we built (borrowed, not changed): a new
     * frame with RSV1 set and the deflated payload; the caller owns it. When deflating does not make
     * the payload smaller, a retained duplicate of the frame itself (uncompressed is always allowed).
     */
    static ByteBuf compress(ByteBufAllocator alloc, ByteBuf frame) {
        int start = frame.readerIndex();
        int opcode = frame.getByte(start) & 0x0f;
        int off = WsFrames.payloadOffset(frame);
        int len = frame.readableBytes() - off;
        Deflater deflater = DEFLATERS.get();
        deflater.reset();
        deflater.setInput(frame.nioBuffer(start + off, len));
        // header room first; the header is written in front of the payload once its length is known
        ByteBuf out = alloc.buffer(MAX_HEADER + len / 2 + 64);
        boolean done = false;
        try {
            out.writerIndex(MAX_HEADER);
            while (true) {
                out.ensureWritable(Math.max(256, len / 4));
                int room = out.writableBytes();
                ByteBuffer dst = out.nioBuffer(out.writerIndex(), room);
                int n = deflater.deflate(dst, Deflater.SYNC_FLUSH);
                out.writerIndex(out.writerIndex() + n);
                if (n < room && deflater.needsInput()) {
                    break; // all input taken and the flush fitted: the output is complete
                }
            }
            // RFC 7692 section 7.2.1: drop the 4 octets 00 00 ff ff that end a sync flush
            int payload = out.writerIndex() - MAX_HEADER - 4;
            if (payload >= len) {
                return frame.retainedDuplicate();
            }
            out.writerIndex(out.writerIndex() - 4);
            int header = WsFrames.headerLength(payload);
            out.readerIndex(MAX_HEADER - header);
            WsFrames.writeHeader(out, opcode, payload);
            out.setByte(out.readerIndex(), FIN | RSV1 | opcode);
            done = true;
            return out;
        } finally {
            deflater.setInput(NO_INPUT); // keep no view of the frame past this call
            if (!done) {
                out.release();
            }
        }
    }
}
