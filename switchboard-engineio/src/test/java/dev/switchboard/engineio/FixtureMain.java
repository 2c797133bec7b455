package dev.switchboard.engineio;

import java.time.Duration;

/** Starts the test fixture for manual runs of the Node scripts (not a test). */
final class FixtureMain {
    public static void main(String[] args) throws Exception {
        EngineFixture f = new EngineFixture(EngineIoConfig.builder().pingInterval(Duration.ofMillis(300))
                .pingTimeout(Duration.ofMillis(200)).maxPayload(200_000)
                .allowRequest(h -> "1".equals(h.query().get("deny")) ? "Forbidden" : null).build());
        System.out.println("PORT " + f.address.getPort());
        Thread.sleep(Long.parseLong(args[0]));
        f.close();
    }
}
