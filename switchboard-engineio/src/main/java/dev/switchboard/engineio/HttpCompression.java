package dev.switchboard.engineio;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AttributeKey;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Compression of polling answers (engine.io's {@code httpCompression}): a GET whose
 * {@code Accept-Encoding} names gzip or deflate (in that order of preference, as engine.io) gets its
 * payload compressed when it is at least the threshold long.
 *
 * <p>The encoding a GET accepts is kept in its channel's {@link #KEY} attribute, set by the request
 * router as the GET arrives (a kept-alive connection carries one request at a time), and read by
 * {@link HttpResponses#payload} when the answer is written, whichever loop writes it.
 */
final class HttpCompression {

    static final AttributeKey<HttpCompression> KEY = AttributeKey.valueOf(HttpCompression.class, "encoding");

    final String encoding;
    private final int threshold;

    private HttpCompression(String encoding, int threshold) {
        this.encoding = encoding;
        this.threshold = threshold;
    }

    /** The two choices of one server, made once. */
    static HttpCompression[] forThreshold(int threshold) {
        return new HttpCompression[] {new HttpCompression("gzip", threshold), new HttpCompression("deflate", threshold)};
    }

    /** Sets (or clears) the encoding a GET accepts on its channel; {@code choices} from {@link #forThreshold}. */
    static void remember(Channel ch, HttpHeaders request, HttpCompression[] choices) {
        ch.attr(KEY).set(choices == null ? null : pick(request.get(HttpHeaderNames.ACCEPT_ENCODING), choices));
    }

    private static HttpCompression pick(String accept, HttpCompression[] choices) {
        if (accept == null) {
            return null;
        }
        String a = accept.toLowerCase(Locale.ROOT);
        // engine.io uses the "accepts" package's preference gzip, deflate; q=0 refusals are rare enough
        // for this simple check (a client that refuses gzip that way still gets a readable answer in
        // deflate or plain only if it does not list gzip at all)
        for (HttpCompression c : choices) {
            if (a.contains(c.encoding)) {
                return c;
            }
        }
        return null;
    }

    boolean worth(ByteBuf body) {
        return body.readableBytes() >= threshold;
    }

    /** The body compressed (borrowed in, not released); the caller owns the result. */
    ByteBuf compress(ByteBufAllocator alloc, ByteBuf body) {
        ByteBuf out = alloc.buffer(body.readableBytes() / 2 + 64);
        boolean done = false;
        try (OutputStream z = "gzip".equals(encoding) ? new GZIPOutputStream(new ByteBufOutputStream(out), 4096)
                : new DeflaterOutputStream(new ByteBufOutputStream(out), new java.util.zip.Deflater(), 4096, false) {
                    @Override
                    public void close() throws IOException {
                        super.close();
                        def.end(); // a Deflater given to the stream is not ended by it
                    }
                }) {
            body.getBytes(body.readerIndex(), z, body.readableBytes());
            done = true;
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteBuf output stream does not fail but for OOM
        } finally {
            if (!done) {
                out.release();
            }
        }
        return out;
    }
}
