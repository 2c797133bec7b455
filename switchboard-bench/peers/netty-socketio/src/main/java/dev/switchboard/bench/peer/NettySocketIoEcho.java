package dev.switchboard.bench.peer;

import com.corundumstudio.socketio.AckRequest;
import com.corundumstudio.socketio.AuthTokenResult;
import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.SocketConfig;
import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.SocketIONamespace;
import com.corundumstudio.socketio.SocketIOServer;
import com.corundumstudio.socketio.listener.MultiTypeEventListener;
import java.util.concurrent.CountDownLatch;

/**
 * The echo application of {@code bin/switchboard echo} on netty-socketio
 * 2.0.x, for the side-by-side benchmarks. Prints {@code listening <port>} once bound.
 *
 * <pre>java -jar netty-socketio-echo.jar --port 3000 --ping-interval 25000 --ping-timeout 20000
 *      --max-payload 1000000 --connect-timeout 45000 --cors '*' [--host 127.0.0.1]</pre>
 *
 * <p>netty-socketio binds a listener to a fixed list of argument types, so events are handled in the
 * shapes the benchmarks send: {@code message(payload)}, {@code message-with-ack(payload)},
 * {@code join(room)}, {@code leave(room)}, {@code broadcast(room, payload)}. Epoll is used, as
 * netty-socketio recommends for Linux production.
 */
public final class NettySocketIoEcho {

    private static final String AUTH = "echo.auth";

    private NettySocketIoEcho() {}

    public static void main(String[] args) throws InterruptedException {
        Configuration config = new Configuration();
        config.setHostname(option(args, "host", "127.0.0.1"));
        config.setPort(Integer.parseInt(option(args, "port", "3000")));
        config.setPingInterval(Integer.parseInt(option(args, "ping-interval", "25000")));
        config.setPingTimeout(Integer.parseInt(option(args, "ping-timeout", "20000")));
        int maxPayload = Integer.parseInt(option(args, "max-payload", "1000000"));
        config.setMaxFramePayloadLength(maxPayload);
        config.setMaxHttpContentLength(maxPayload);
        // netty-socketio has no Socket.IO connect timeout; its closest setting closes a connection
        // that sends nothing at all within the time.
        config.setFirstDataTimeout(Integer.parseInt(option(args, "connect-timeout", "45000")));
        config.setOrigin(option(args, "cors", "*"));
        config.setUseLinuxNativeEpoll(true);
        SocketConfig socket = new SocketConfig();
        socket.setReuseAddress(true);
        socket.setTcpNoDelay(true);
        socket.setAcceptBackLog(4096);
        config.setSocketConfig(socket);

        SocketIOServer server = new SocketIOServer(config);
        // netty-socketio hands the CONNECT auth object only to auth token listeners; keep it for `auth`.
        server.getNamespace("").addAuthTokenListener(NettySocketIoEcho::keepAuth);
        server.addConnectListener(NettySocketIoEcho::emitAuth);
        server.addEventListener("message", Object.class,
                (client, data, ack) -> client.sendEvent("message-back", data));
        server.addEventListener("message-with-ack", Object.class,
                (client, data, ack) -> ack.sendAckData(data));
        server.addEventListener("join", String.class, (client, room, ack) -> {
            client.joinRoom(room);
            ackIfAsked(ack);
        });
        server.addEventListener("leave", String.class, (client, room, ack) -> {
            client.leaveRoom(room);
            ackIfAsked(ack);
        });
        MultiTypeEventListener broadcast = (client, args2, ack) ->
                server.getRoomOperations(args2.<String>first()).sendEvent("broadcast", args2.<Object>second());
        server.addMultiTypeEventListener("broadcast", broadcast, String.class, Object.class);

        SocketIONamespace custom = server.addNamespace("/custom");
        custom.addAuthTokenListener(NettySocketIoEcho::keepAuth);
        custom.addConnectListener(NettySocketIoEcho::emitAuth);

        server.start();
        System.out.println("listening " + config.getPort());
        System.out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop();
            stopped.countDown();
        }));
        stopped.await();
    }

    private static AuthTokenResult keepAuth(Object auth, SocketIOClient client) {
        if (auth != null) {
            client.set(AUTH, auth);
        }
        return AuthTokenResult.AuthTokenResultSuccess;
    }

    private static void emitAuth(SocketIOClient client) {
        Object auth = client.has(AUTH) ? client.get(AUTH) : client.getHandshakeData().getAuthToken();
        client.sendEvent("auth", auth);
    }

    private static void ackIfAsked(AckRequest ack) {
        if (ack.isAckRequested()) {
            ack.sendAckData();
        }
    }

    private static String option(String[] args, String name, String fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--" + name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }
}
