package dev.switchboard.bench.harness;

import dev.switchboard.bench.load.LoadGenerator;
import dev.switchboard.bench.load.SioClient;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Before a server is measured it must run the echo application as the benchmarks use it: two clients
 * join a room, a broadcast reaches both, {@code message-with-ack} and {@code message} come back with
 * the payload. A server failing this is reported as failed rather than measured.
 */
final class SanityCheck {

    private SanityCheck() {}

    /** Null when the server behaves; otherwise what went wrong. */
    static String check(ServerProcess server) {
        try (LoadGenerator gen = Load.generator(server, 2, Duration.ofSeconds(30))) {
            CompletableFuture<String> aGot = new CompletableFuture<>();
            CompletableFuture<String> bGot = new CompletableFuture<>();
            CompletableFuture<String> echoed = new CompletableFuture<>();
            SioClient a = gen.connect(null, (c, e, d) -> {
                if (e.equals("broadcast")) {
                    aGot.complete(d);
                } else if (e.equals("message-back")) {
                    echoed.complete(d);
                }
            }).get(10, TimeUnit.SECONDS);
            SioClient b = gen.connect(null, (c, e, d) -> {
                if (e.equals("broadcast")) {
                    bGot.complete(d);
                }
            }).get(10, TimeUnit.SECONDS);
            a.emitWithAck("[\"join\",\"sanity\"]").get(5, TimeUnit.SECONDS);
            b.emitWithAck("[\"join\",\"sanity\"]").get(5, TimeUnit.SECONDS);
            a.emit("[\"broadcast\",\"sanity\",{\"k\":1}]");
            expect("broadcast to sender", aGot.get(5, TimeUnit.SECONDS), "[\"broadcast\",{\"k\":1}]");
            expect("broadcast to member", bGot.get(5, TimeUnit.SECONDS), "[\"broadcast\",{\"k\":1}]");
            expect("ack", a.emitWithAck("[\"message-with-ack\",{\"k\":2}]").get(5, TimeUnit.SECONDS), "[{\"k\":2}]");
            a.emit("[\"message\",{\"k\":3}]");
            expect("message-back", echoed.get(5, TimeUnit.SECONDS), "[\"message-back\",{\"k\":3}]");
            return null;
        } catch (Exception e) {
            return e.toString();
        }
    }

    private static void expect(String what, String got, String want) {
        if (!want.equals(got)) {
            throw new IllegalStateException(what + ": expected " + want + " but got " + got);
        }
    }
}
