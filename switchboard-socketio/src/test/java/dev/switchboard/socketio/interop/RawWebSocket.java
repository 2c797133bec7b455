package dev.switchboard.socketio.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A hand-driven Engine.IO WebSocket connection (the JDK's client) for edge cases: text frames in,
 * pings answered unless told otherwise, the close (or failure) recorded.
 */
final class RawWebSocket implements WebSocket.Listener {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    final BlockingQueue<String> in = new LinkedBlockingQueue<>();
    final CompletableFuture<String> closed = new CompletableFuture<>();
    volatile boolean answerPings = true;
    WebSocket ws;
    private final StringBuilder partial = new StringBuilder();

    static RawWebSocket open(int port) throws Exception {
        RawWebSocket raw = new RawWebSocket();
        raw.ws = HTTP.newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/socket.io/?EIO=4&transport=websocket"), raw)
                .get(15, TimeUnit.SECONDS);
        assertThat(raw.next()).startsWith("0{\"sid\":");
        return raw;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            String msg = partial.toString();
            partial.setLength(0);
            if ("2".equals(msg)) {
                if (answerPings) {
                    webSocket.sendText("3", true);
                }
            } else {
                in.add(msg);
            }
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete("close " + statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.complete("error " + error);
    }

    String next() throws InterruptedException {
        String s = in.poll(15, TimeUnit.SECONDS);
        assertThat(s).as("a frame within 15 s").isNotNull();
        return s;
    }

    void send(String text) {
        ws.sendText(text, true).join();
    }

    /** CONNECT to {@code /} and read the reply and the echo server's {@code auth} event. */
    void connect() throws InterruptedException {
        send("40");
        assertThat(next()).startsWith("40{\"sid\":");
        assertThat(next()).startsWith("42[\"auth\",{}]");
    }

    boolean closedWithin(long ms) {
        try {
            closed.get(ms, TimeUnit.MILLISECONDS);
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
