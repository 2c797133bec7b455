package dev.switchboard.mqtt;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** Hand-written MQTT bytes over a plain socket, for the edge cases real clients refuse to produce. */
final class RawClient implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;

    RawClient(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(15_000);
        in = socket.getInputStream();
    }

    void send(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
    }

    /** A 3.1.1 CONNECT (clean session) with the given protocol level and keep alive. */
    static byte[] connect(String clientId, int level, int keepAliveSeconds) {
        return connect(clientId, level, keepAliveSeconds, true);
    }

    /** A 3.1.1 CONNECT with the given protocol level, keep alive and CleanSession flag. */
    static byte[] connect(String clientId, int level, int keepAliveSeconds, boolean cleanSession) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        utf8(body, "MQTT");
        body.write(level);
        body.write(cleanSession ? 0x02 : 0x00);
        body.write(keepAliveSeconds >> 8);
        body.write(keepAliveSeconds & 0xFF);
        utf8(body, clientId);
        return packet(0x10, body.toByteArray());
    }

    /** SUBSCRIBE (packet id 1) to one filter at {@code qos}. */
    static byte[] subscribe(String filter, int qos) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(0);
        body.write(1);
        utf8(body, filter);
        body.write(qos);
        return packet(0x82, body.toByteArray());
    }

    static byte[] packet(int header, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(header);
        int len = body.length;
        do {
            int b = len % 128;
            len /= 128;
            out.write(len > 0 ? b | 0x80 : b);
        } while (len > 0);
        out.writeBytes(body);
        return out.toByteArray();
    }

    private static void utf8(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write(b.length >> 8);
        out.write(b.length & 0xFF);
        out.writeBytes(b);
    }

    /** Reads {@code n} bytes; fails if the server closes first. */
    byte[] read(int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length < n) {
            throw new IOException("closed after " + b.length + " of " + n + " bytes");
        }
        return b;
    }

    /** Reads until the server closes the connection (true) or 15 s pass (false); returns what was read via count. */
    boolean awaitClose() throws IOException {
        byte[] buf = new byte[4096];
        try {
            while (in.read(buf) >= 0) {
                // discard what the server still sends
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset by the server
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
