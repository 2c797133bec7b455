package dev.switchboard.engineio;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * HTTP/1.1 over a plain socket, byte for byte as the test writes it: for requests no well-behaved
 * client would send (oversized bodies, garbage, truncated heads). Reads are bounded by a 5 s timeout.
 */
final class RawHttp implements AutoCloseable {

    /** A response: the status code and the body (by Content-Length). */
    record Response(int status, String headers, String body) {}

    final Socket socket;
    final InputStream in;
    final OutputStream out;

    RawHttp(InetSocketAddress address) throws IOException {
        socket = new Socket();
        socket.connect(address, 5_000);
        socket.setSoTimeout(5_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    void send(String ascii) throws IOException {
        send(ascii.getBytes(StandardCharsets.ISO_8859_1));
    }

    void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** A request with a body and Content-Length, keep-alive. */
    void request(String method, String target, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        send(method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain;charset=UTF-8\r\n"
                + "Content-Length: " + b.length + "\r\n\r\n");
        if (b.length > 0) {
            send(b);
        }
    }

    /** Reads one response (head, then a Content-Length body). */
    Response read() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("connection closed after " + head.size() + " bytes of a response head");
            }
            head.write(c);
            matched = (c == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (c == '\r' ? 1 : 0);
        }
        String h = head.toString(StandardCharsets.ISO_8859_1);
        int status = Integer.parseInt(h.substring(9, 12));
        int length = 0;
        for (String line : h.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        byte[] body = in.readNBytes(length);
        return new Response(status, h, new String(body, StandardCharsets.UTF_8));
    }

    /**
     * Whether the server closed the connection: reads (discarding) until end of stream or a reset;
     * false when it stays open past the read timeout.
     */
    boolean closedByServer() throws IOException {
        byte[] sink = new byte[8192];
        try {
            while (in.read(sink) >= 0) {
                // discard whatever the server still says before closing
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true; // reset: closed without reading everything we sent
        }
    }

    /** Handshakes over polling on this connection; returns the sid. */
    String handshake() throws IOException {
        send("GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        Response r = read();
        if (r.status() != 200 || !r.body().startsWith("0{\"sid\":\"")) {
            throw new AssertionError("handshake failed: " + r);
        }
        return r.body().substring(9, 29);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
