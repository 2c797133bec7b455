package dev.switchboard.engineio.echo;

/**
 * A plain Engine.IO server that sends every message back to its sender, for protocol tools and
 * conformance runs: {@code bin/switchboard echo --engine-only --port 3000 --path /engine.io/
 * --ping-interval 300 --ping-timeout 200 --max-payload 1000000 --cors '*'}.
 */
public final class EngineEcho {

    private EngineEcho() {}

    public static void main(String[] args) {
        throw new UnsupportedOperationException("not yet");
    }
}
