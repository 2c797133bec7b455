package dev.switchboard.socketio.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.engineio.EngineIoConfig;
import dev.switchboard.socketio.SocketIoConfig;
import dev.switchboard.socketio.SocketIoServer;
import dev.switchboard.testkit.LeakDetectorExtension;
import dev.switchboard.transport.TransportConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The CONNECT reply over WebSocket is written and flushed on its own before the namespace's connection
 * listeners run, as the Node server writes it: a client that reads the handshake one frame at a time
 * (protocol test tools do) gets {@code 40...} alone, and the listener's first event in a later read.
 *
 * <p>The listener holds its event until the client has read the CONNECT reply: if the reply were still
 * queued behind the listener (or batched with its emit), the client would read nothing while the
 * listener waits, and then both frames in one read.
 */
@ExtendWith(LeakDetectorExtension.class)
class ConnectReplyWriteTest {

    private SocketIoServer io;
    private int port;
    private final CountDownLatch connectReplyRead = new CountDownLatch(1);
    private volatile boolean listenerSawTheRead;

    @BeforeEach
    void start() throws Exception {
        io = SocketIoServer.create(SocketIoConfig.builder()
                .engine(EngineIoConfig.builder().path(SocketIoConfig.DEFAULT_PATH).build())
                .transport(TransportConfig.builder().host("127.0.0.1").port(0).build())
                .build());
        io.on("connection", socket -> {
            try {
                // Blocks this socket's event loop on purpose: nothing else of this connection is written meanwhile.
                listenerSawTheRead = connectReplyRead.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            socket.emit("welcome", 1);
        });
        port = io.start().toCompletableFuture().get(10, TimeUnit.SECONDS).getPort();
    }

    @AfterEach
    void stop() {
        io.close().toCompletableFuture().join();
    }

    @Test
    void connectReplyIsItsOwnWriteBeforeTheConnectionListenerRuns() throws Exception {
        try (Socket tcp = new Socket("127.0.0.1", port)) {
            tcp.setSoTimeout(15_000);
            tcp.setTcpNoDelay(true);
            InputStream in = tcp.getInputStream();
            OutputStream out = tcp.getOutputStream();
            out.write(("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(readHead(in)).startsWith("HTTP/1.1 101");
            assertThat(frameText(readFrame(in))).startsWith("0{\"sid\":");

            out.write(maskedText("40"));
            out.flush();
            byte[] first = readOneWrite(in);
            assertThat(frameText(first)).as("the first read holds the CONNECT reply and nothing else")
                    .startsWith("40{\"sid\":");
            connectReplyRead.countDown();

            assertThat(frameText(readFrame(in))).isEqualTo("42[\"welcome\",1]");
            assertThat(listenerSawTheRead).as("the listener ran only after the client had read the reply").isTrue();
        }
    }

    /** The response head, byte by byte so nothing after it is consumed. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            assertThat(b).as("response head complete").isNotNegative();
            head.write(b);
            byte[] h = head.toByteArray();
            int n = h.length;
            if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
                return new String(h, StandardCharsets.US_ASCII);
            }
        }
    }

    /**
     * Reads until one complete unmasked frame has arrived and returns everything read: exactly that frame
     * when the server wrote it alone (the server writes nothing else meanwhile, see the class comment).
     */
    private static byte[] readOneWrite(InputStream in) throws IOException {
        byte[] buf = new byte[64 * 1024];
        int n = 0;
        while (n < 2 || n < frameLength(buf, n)) {
            int r = in.read(buf, n, buf.length - n);
            assertThat(r).as("connection open").isPositive();
            n += r;
        }
        byte[] got = Arrays.copyOf(buf, n);
        assertThat(n).as("bytes in the read that completed the CONNECT reply's frame").isEqualTo(frameLength(got, n));
        return got;
    }

    /** Total length of the frame starting at 0 (server frames: unmasked, short payloads), or MAX_VALUE if unknown yet. */
    private static int frameLength(byte[] b, int available) {
        int len = b[1] & 0x7f;
        if (len < 126) {
            return 2 + len;
        }
        if (len == 126) {
            return available < 4 ? Integer.MAX_VALUE : 4 + (((b[2] & 0xff) << 8) | (b[3] & 0xff));
        }
        throw new AssertionError("unexpectedly long frame");
    }

    /** One complete frame, reading exactly its bytes. */
    private static byte[] readFrame(InputStream in) throws IOException {
        byte[] header = in.readNBytes(2);
        int len = header[1] & 0x7f;
        byte[] ext = new byte[0];
        if (len == 126) {
            ext = in.readNBytes(2);
            len = ((ext[0] & 0xff) << 8) | (ext[1] & 0xff);
        }
        byte[] payload = in.readNBytes(len);
        assertThat(payload).hasSize(len);
        byte[] frame = new byte[2 + ext.length + len];
        System.arraycopy(header, 0, frame, 0, 2);
        System.arraycopy(ext, 0, frame, 2, ext.length);
        System.arraycopy(payload, 0, frame, 2 + ext.length, len);
        return frame;
    }

    private static String frameText(byte[] frame) {
        assertThat(frame[0] & 0x0f).as("text frame").isEqualTo(1);
        int offset = (frame[1] & 0x7f) == 126 ? 4 : 2;
        return new String(frame, offset, frame.length - offset, StandardCharsets.UTF_8);
    }

    private static byte[] maskedText(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        byte[] mask = {1, 2, 3, 4};
        byte[] frame = new byte[6 + payload.length];
        frame[0] = (byte) 0x81;
        frame[1] = (byte) (0x80 | payload.length);
        System.arraycopy(mask, 0, frame, 2, 4);
        for (int i = 0; i < payload.length; i++) {
            frame[6 + i] = (byte) (payload[i] ^ mask[i % 4]);
        }
        return frame;
    }
}
